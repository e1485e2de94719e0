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

    /// <inheritdoc />
    /// <remarks>Removes <c>&lt;state&gt;/&lt;model&gt;/&lt;version&gt;/</c> folders; the model's other state (warm-up recordings) stays.</remarks>
    public IReadOnlyList<long> RemoveStateExcept(Config.ModelConfig model, IReadOnlySet<long> keep)
    {
        var folder = Path.Combine(StateDirectory.Root(stateDirectory, model.BasePath), model.Name);
        if (!Directory.Exists(folder))
        {
            return [];
        }
        var removed = new List<long>();
        foreach (var versionFolder in Directory.EnumerateDirectories(folder))
        {
            // Only folders whose name is a version number are a version's state (as the base path's sub-folders are).
            if (long.TryParse(Path.GetFileName(versionFolder), System.Globalization.NumberStyles.None, null, out var version)
                && version > 0 && !keep.Contains(version))
            {
                Directory.Delete(versionFolder, recursive: true);
                removed.Add(version);
            }
        }
        return removed;
    }

    private IModel Load(string modelName, long version, string path, RedisClusterOverrides? clusterSettings)
    {
        var basePath = Path.GetDirectoryName(Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar)) ?? path;
        var overlay = StateDirectory.Overlay(StateDirectory.Root(stateDirectory, basePath), modelName, version);
        var model = ModelLoader.Load(path, options, overlay, clusterSettings);
        return batching is null ? model : new BatchingModel(model, batching, observers?.Invoke(modelName));
    }
}
