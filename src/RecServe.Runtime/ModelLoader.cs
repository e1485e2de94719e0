using RecServe.Runtime.Onnx;

namespace RecServe.Runtime;

/// <summary>Loads a model version folder in whichever format it holds.</summary>
public static class ModelLoader
{
    /// <summary>The file a plain ONNX version folder holds.</summary>
    public const string OnnxFileName = "model.onnx";

    /// <summary>Whether <paramref name="versionPath"/> holds a model this loader understands.</summary>
    public static bool HasModel(string versionPath) => File.Exists(Path.Combine(versionPath, OnnxFileName));

    /// <summary>Loads the version at <paramref name="versionPath"/>; <see cref="ModelLoadException"/> says why not.</summary>
    public static IModel Load(string versionPath, OnnxModelOptions options)
    {
        var onnxPath = Path.Combine(versionPath, OnnxFileName);
        if (File.Exists(onnxPath))
        {
            return OnnxModel.Load(onnxPath, options);
        }
        throw new ModelLoadException($"{versionPath} holds no {OnnxFileName}");
    }
}
