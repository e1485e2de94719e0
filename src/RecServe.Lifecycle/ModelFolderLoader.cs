using RecServe.Runtime;
using RecServe.Runtime.Onnx;

namespace RecServe.Lifecycle;

/// <summary>The production loader: whatever format <see cref="ModelLoader"/> recognises in the folder.</summary>
public sealed class ModelFolderLoader(OnnxModelOptions options) : IVersionLoader
{
    /// <inheritdoc />
    public IModel Load(string modelName, long version, string path) => ModelLoader.Load(path, options);
}
