using RecServe.Embeddings.Redis;
using RecServe.Runtime;
using RecServe.Runtime.Batching;
using RecServe.Runtime.Onnx;

namespace RecServe.Lifecycle;

/// <summary>
/// The production loader: whatever format <see cref="ModelLoader"/> recognises in the folder, wrapped in a
/// <see cref="BatchingModel"/> when batching is on. A bundle opens its delta overlay under the state folder
/// (<see cref="StateDirectory"/>).
/// </summary>
/// <param name="options">ONNX Runtime settings.</param>
/// <param name="batching">Batching settings, or null for no batching.</param>
/// <param name="observers">Makes the batching observer (metrics) of a model, by model name.</param>
/// <param name="stateDirectory">The <c>--state_dir</c> folder, or null for the default beside each base path.</param>
/// <param name="redis">The server's Redis flags, imposed on every bundle's cluster tables; null keeps the manifests' settings.</param>
public sealed class ModelFolderLoader(OnnxModelOptions options, BatchingOptions? batching = null, Func<string, IBatchObserver?>? observers = null,
    string? stateDirectory = null, RedisClusterOverrides? redis = null) : IVersionLoader
{
    /// <inheritdoc />
    public IModel Load(string modelName, long version, string path) => Load(modelName, version, path, redis);

    /// <inheritdoc />
    /// <remarks>The server's Redis flags win over the model config's, which win over the manifests'.</remarks>
    public IModel Load(Config.ModelConfig model, long version, string path) =>
        Load(model.Name, version, path, redis is null ? model.Redis : redis.Over(model.Redis));

    private IModel Load(string modelName, long version, string path, RedisClusterOverrides? clusterSettings)
    {
        var basePath = Path.GetDirectoryName(Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar)) ?? path;
        var overlay = StateDirectory.Overlay(StateDirectory.Root(stateDirectory, basePath), modelName, version);
        var model = ModelLoader.Load(path, options, overlay, clusterSettings);
        return batching is null ? model : new BatchingModel(model, batching, observers?.Invoke(modelName));
    }
}
