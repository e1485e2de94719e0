using RecServe.Core.Signatures;
using RecServe.Core.Tensors;
using RecServe.Import.Rewrite;
using RecServe.Runtime;
using RecServe.Runtime.Onnx;

namespace RecServe.Import.Check;

/// <summary>
/// Runs the original model and the written bundle on the same random, valid inputs and measures how far their
/// outputs differ: ids within each table's rows, padded with -1 only where the graph masked padding itself.
/// </summary>
internal static class ImportSelfCheck
{
    // Batch sizes tried: one row (a shape corner case) and a batch big enough to hit every padding layout.
    private static readonly int[] BatchSizes = [1, 16];

    /// <summary>
    /// The largest difference accepted. fp32 rows hold the original weights exactly, so only summation order
    /// differs: 1e-5. fp16 and int8 rows are lossy by design; their error is reported, and only a difference
    /// that no rounding explains (0.1: a wrong row or a wrong pooling) fails the import.
    /// </summary>
    public static double Tolerance(TensorDataType tableDataType) => tableDataType == TensorDataType.Float32 ? 1e-5 : 1e-1;

    /// <summary>The largest output difference between <paramref name="modelPath"/> and the bundle in <paramref name="bundleFolder"/>.</summary>
    public static double MaxError(string modelPath, string bundleFolder, IReadOnlyList<RewrittenFeature> features, ImportOptions options)
    {
        using var original = OnnxModel.Load(modelPath, options.Onnx);
        using var bundle = options.LoadBundle(bundleFolder, options.Onnx);
        var random = new Random(options.Seed);
        var maxError = 0.0;
        foreach (var batch in BatchSizes)
        {
            var inputs = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            try
            {
                foreach (var spec in original.Signature.Inputs)
                {
                    var feature = features.FirstOrDefault(f => f.Lookup.IdInput == spec.Name);
                    inputs[spec.Name] = RandomInputs.Create(spec, batch, feature, random);
                }
                using var expected = original.Predict(inputs, []);
                using var actual = bundle.Predict(inputs, []);
                foreach (var item in expected.Items)
                {
                    var other = actual.Find(item.Name) ?? throw new ImportException($"the bundle has no output '{item.Name}'");
                    maxError = Math.Max(maxError, OutputDifference.Max(item.Name, item.Tensor, other));
                }
            }
            finally
            {
                foreach (var tensor in inputs.Values)
                {
                    tensor.Dispose();
                }
            }
        }
        return maxError;
    }
}
