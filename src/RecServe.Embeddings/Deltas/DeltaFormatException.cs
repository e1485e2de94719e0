namespace RecServe.Embeddings.Deltas;

/// <summary>
/// A delta file is truncated, corrupt, of an unknown format, or does not fit the tables it targets. Thrown before
/// anything of the delta is applied: a delta that throws this is refused whole.
/// </summary>
public sealed class DeltaFormatException : Exception
{
    /// <summary>Creates the exception for the delta at <paramref name="path"/>.</summary>
    public DeltaFormatException(string path, string message, Exception? inner = null)
        : base($"{path}: {message}", inner)
    {
        Path = path;
    }

    /// <summary>The delta file that was refused.</summary>
    public string Path { get; }
}
