namespace RecServe.Embeddings.Tables;

/// <summary>
/// Contents of <see cref="TableFormat.MetaFileName"/>: what the table is and which files make it up. The binary
/// headers repeat the numbers that matter for reading, and opening checks that both agree.
/// </summary>
internal sealed class TableMeta
{
    public int FormatVersion { get; set; }

    public string Name { get; set; } = "";

    public int Dim { get; set; }

    /// <summary>"fp32", "fp16" or "int8".</summary>
    public string Dtype { get; set; } = "";

    public long RowCount { get; set; }

    /// <summary>The row served for unknown ids; null means zeros.</summary>
    public float[]? DefaultRow { get; set; }

    public TableIndexMeta Index { get; set; } = new();

    public string ChecksumAlgorithm { get; set; } = "";

    public TableFileMeta IndexFile { get; set; } = new();

    public TableFileMeta RowsFile { get; set; } = new();
}
