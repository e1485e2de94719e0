using RecServe.Runtime;

namespace RecServe.Lifecycle.Versions;

/// <summary>
/// A request's lease on one model version: while it is held the version stays loaded, even if a newer one
/// has replaced it. Dispose exactly once when the request is done.
/// </summary>
public sealed class ServableHandle : IDisposable
{
    private ServableVersion? _version;

    internal ServableHandle(ServableVersion version)
    {
        _version = version;
        ModelName = version.ModelName;
        Version = version.Version;
        Model = version.Model;
    }

    /// <summary>The model's name.</summary>
    public string ModelName { get; }

    /// <summary>The version this handle serves.</summary>
    public long Version { get; }

    /// <summary>The model to run.</summary>
    public IModel Model { get; }

    /// <summary>Releases the lease.</summary>
    public void Dispose() => Interlocked.Exchange(ref _version, null)?.Release();
}
