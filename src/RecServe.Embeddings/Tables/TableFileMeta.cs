namespace RecServe.Embeddings.Tables;

/// <summary>One binary file of a table as <see cref="TableMeta"/> lists it.</summary>
internal sealed class TableFileMeta
{
    public string Path { get; set; } = "";

    public long Bytes { get; set; }

    /// <summary>The payload checksum, 16 hex digits (a string, since JSON numbers lose 64-bit precision).</summary>
    public string Checksum { get; set; } = "";
}
