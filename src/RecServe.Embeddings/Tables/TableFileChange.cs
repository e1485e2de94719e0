namespace RecServe.Embeddings.Tables;

/// <summary>How a table's files differ from when the table was opened.</summary>
public enum TableFileChange
{
    /// <summary>Unchanged.</summary>
    None,

    /// <summary>
    /// Another file now stands at the path (renamed over it, or deleted): the table still serves the complete file
    /// it opened, which is no longer what is on disk.
    /// </summary>
    Replaced,

    /// <summary>
    /// The opened file itself was written, truncated or extended. A mapped table may now read a mix of old and new
    /// bytes and must not be served. (Only mapped tables report it; a table held in memory reports
    /// <see cref="Replaced"/>, since its copy was verified when it was read.)
    /// </summary>
    ChangedInPlace,
}
