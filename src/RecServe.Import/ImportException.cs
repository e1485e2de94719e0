namespace RecServe.Import;

/// <summary>An import that failed; nothing was left at the destination.</summary>
public sealed class ImportException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ImportException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
