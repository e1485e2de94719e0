using RecServe.Runtime;

namespace RecServe.Lifecycle;

/// <summary>Loads one version folder into a servable model. The only thing the manager knows of model formats.</summary>
public interface IVersionLoader
{
    /// <summary>Loads the version at <paramref name="path"/>; throws with the reason when it cannot be served.</summary>
    IModel Load(string modelName, long version, string path);

    /// <summary>As <see cref="Load(string, long, string)"/>, for a model whose config may carry settings for loading it.</summary>
    IModel Load(Config.ModelConfig model, long version, string path) => Load(model.Name, version, path);

    /// <summary>
    /// Deletes what the loader keeps about versions of <paramref name="model"/> other than <paramref name="keep"/>
    /// (their delta overlays, say), once those versions have left the base path; returns the versions removed.
    /// </summary>
    IReadOnlyList<long> RemoveStateExcept(Config.ModelConfig model, IReadOnlySet<long> keep) => [];
}
