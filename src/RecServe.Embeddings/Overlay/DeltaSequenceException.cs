namespace RecServe.Embeddings.Overlay;

/// <summary>
/// A delta's seq does not follow the overlay's last applied seq: deltas apply in order, exactly once, and one that
/// skips ahead is refused (nothing changes) until the missing ones have been applied.
/// </summary>
public sealed class DeltaSequenceException : Exception
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public DeltaSequenceException(string path, long seq, long lastApplied)
        : base($"{path}: delta seq {seq} cannot be applied after seq {lastApplied}; seq {lastApplied + 1} must come first")
    {
        Path = path;
        Seq = seq;
        LastApplied = lastApplied;
    }

    /// <summary>The refused delta.</summary>
    public string Path { get; }

    /// <summary>Its seq.</summary>
    public long Seq { get; }

    /// <summary>The overlay's last applied seq.</summary>
    public long LastApplied { get; }
}
