using RecServe.Core.Bundles;
using RecServe.Embeddings.Redis;
using RecServe.Runtime.Bundles;
using RecServe.Runtime.Onnx;

namespace RecServe.Runtime;

/// <summary>Loads a model version folder in whichever format it holds: a bundle (model.json) first, else plain ONNX.</summary>
public static class ModelLoader
{
    /// <summary>The file a plain ONNX version folder holds.</summary>
    public const string OnnxFileName = "model.onnx";

    /// <summary>Whether <paramref name="versionPath"/> holds a model this loader understands.</summary>
    public static bool HasModel(string versionPath) =>
        BundleManifestFile.Exists(versionPath) || File.Exists(Path.Combine(versionPath, OnnxFileName));

    /// <summary>Loads the version at <paramref name="versionPath"/> without a delta overlay; <see cref="ModelLoadException"/> says why not.</summary>
    public static IModel Load(string versionPath, OnnxModelOptions options) => Load(versionPath, options, null);

    /// <summary>
    /// Loads the version at <paramref name="versionPath"/>; <see cref="ModelLoadException"/> says why not. A bundle opens
    /// its delta overlay in <paramref name="overlayDirectory"/> when one is given; a plain ONNX model has none.
    /// </summary>
    public static IModel Load(string versionPath, OnnxModelOptions options, string? overlayDirectory) => Load(versionPath, options, overlayDirectory, null);

    /// <summary>
    /// As <see cref="Load(string, OnnxModelOptions, string?)"/>, with <paramref name="redis"/> (the server's flags) over the
    /// connection settings of a bundle's cluster tables.
    /// </summary>
    public static IModel Load(string versionPath, OnnxModelOptions options, string? overlayDirectory, RedisClusterOverrides? redis)
    {
        // The manifest decides: a bundle may keep its original model.onnx beside it as provenance.
        if (BundleManifestFile.Exists(versionPath))
        {
            return BundleModel.Load(versionPath, options, overlayDirectory, redis);
        }
        var onnxPath = Path.Combine(versionPath, OnnxFileName);
        if (File.Exists(onnxPath))
        {
            return OnnxModel.Load(onnxPath, options);
        }
        throw new ModelLoadException($"{versionPath} holds neither {BundleFormat.ManifestFileName} nor {OnnxFileName}");
    }
}
