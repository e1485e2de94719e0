using RecServe.Embeddings.Overlay;

namespace RecServe.Lifecycle;

/// <summary>
/// Where the server keeps what it writes about a model (delta overlays, recorded warm-up requests): the folder given
/// with <c>--state_dir</c>, else <c>.recserve-state</c> beside the model's base path. Beside, not inside: the base
/// path's sub-folders are versions, and a model store may be replaced whole by a deploy.
/// </summary>
public static class StateDirectory
{
    /// <summary>The default folder's name.</summary>
    public const string DefaultFolderName = ".recserve-state";

    /// <summary>The state root for a model whose base path is <paramref name="basePath"/>.</summary>
    public static string Root(string? configured, string basePath)
    {
        if (!string.IsNullOrEmpty(configured))
        {
            return Path.GetFullPath(configured);
        }
        var full = Path.GetFullPath(basePath).TrimEnd(Path.DirectorySeparatorChar);
        var parent = Path.GetDirectoryName(full);
        return Path.Combine(string.IsNullOrEmpty(parent) ? Path.GetTempPath() : parent, DefaultFolderName);
    }

    /// <summary>The delta overlay folder of one version: <c>&lt;root&gt;/&lt;model&gt;/&lt;version&gt;/overlay</c>.</summary>
    public static string Overlay(string root, string modelName, long version) => EmbeddingOverlay.DirectoryFor(root, modelName, version);

    /// <summary>The folder recorded warm-up requests of a model go to: <c>&lt;root&gt;/&lt;model&gt;/warmup</c>.</summary>
    public static string Warmup(string root, string modelName) => Path.Combine(root, modelName, "warmup");
}
