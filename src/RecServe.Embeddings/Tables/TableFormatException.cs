namespace RecServe.Embeddings.Tables;

/// <summary>
/// A table folder or file is missing, truncated, corrupt or of an unknown format. A table that throws this on
/// open is never served.
/// </summary>
public sealed class TableFormatException : Exception
{
    /// <summary>Creates the exception for the file at <paramref name="path"/>.</summary>
    public TableFormatException(string path, string message, Exception? inner = null)
        : base($"{path}: {message}", inner)
    {
        Path = path;
    }

    /// <summary>The file or folder that was refused.</summary>
    public string Path { get; }
}
