namespace RecServe.Lifecycle.Config;

/// <summary>One model the server serves: where its versions live and which of them to serve.</summary>
/// <param name="Name">The name clients use.</param>
/// <param name="BasePath">Folder whose numeric sub-folders are the versions.</param>
/// <param name="Policy">Which versions to serve.</param>
/// <param name="Labels">Version labels (e.g. stable, canary) mapped to version numbers.</param>
public sealed record ModelConfig(string Name, string BasePath, VersionPolicy Policy, IReadOnlyDictionary<string, long> Labels)
{
    /// <summary>
    /// Connection settings for the model's Redis Cluster tables ("redis" in the config file), over its bundles'
    /// manifests and under the server's <c>--redis_*</c> flags; null: the manifests decide.
    /// </summary>
    public Embeddings.Redis.RedisClusterOverrides? Redis { get; init; }

    /// <summary>A config serving the latest version with no labels.</summary>
    public static ModelConfig Latest(string name, string basePath) =>
        new(name, basePath, VersionPolicy.Default, new Dictionary<string, long>());
}
