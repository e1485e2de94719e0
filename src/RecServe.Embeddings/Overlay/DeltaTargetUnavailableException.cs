namespace RecServe.Embeddings.Overlay;

/// <summary>
/// A remote store (<see cref="IRemoteDeltaTarget"/>) could not take a delta: nothing was committed locally, and the
/// delta is retried at the next poll instead of being refused for good, since the store may come back.
/// </summary>
public sealed class DeltaTargetUnavailableException : IOException
{
    /// <summary>Creates the exception for the delta at <paramref name="path"/>.</summary>
    public DeltaTargetUnavailableException(string path, string reason, Exception? inner = null)
        : base($"{path}: {reason}; nothing was applied, the delta is retried at the next poll", inner)
    {
        Path = path;
    }

    /// <summary>The delta not applied.</summary>
    public string Path { get; }
}
