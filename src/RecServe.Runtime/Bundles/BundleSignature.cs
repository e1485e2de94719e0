using RecServe.Core.Bundles;
using RecServe.Core.Signatures;
using RecServe.Core.Tensors;

namespace RecServe.Runtime.Bundles;

/// <summary>
/// The serving signature of a bundle: its dense inputs as the manifest gives them, then every sparse feature as
/// an int64 input of shape [-1, -1] marked sparse (it also accepts [batch] and flat ids with <c>{f}.lengths</c>);
/// the outputs are the manifest's.
/// </summary>
internal static class BundleSignature
{
    /// <summary>Shape advertised for a sparse feature's ids: batch and ids per row, both dynamic.</summary>
    public static readonly long[] SparseShape = [-1, -1];

    public static ModelSignature Build(BundleManifest manifest)
    {
        var inputs = new List<TensorSpec>(manifest.DenseInputs.Count + manifest.SparseFeatures.Count);
        foreach (var dense in manifest.DenseInputs)
        {
            inputs.Add(new TensorSpec(dense.Name, BundleManifestFile.ParseDtype(dense.Dtype), dense.Shape));
        }
        foreach (var feature in manifest.SparseFeatures)
        {
            inputs.Add(new TensorSpec(feature.Name, TensorDataType.Int64, SparseShape) { Sparse = new SparseIdsSpec(feature.Name, feature.MaxIdsPerRow) });
        }
        var outputs = new List<TensorSpec>(manifest.Outputs.Count);
        foreach (var output in manifest.Outputs)
        {
            outputs.Add(new TensorSpec(output.Name, BundleManifestFile.ParseDtype(output.Dtype), output.Shape));
        }
        return new ModelSignature(inputs, outputs);
    }
}
