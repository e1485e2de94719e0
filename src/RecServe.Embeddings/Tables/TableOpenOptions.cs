namespace RecServe.Embeddings.Tables;

/// <summary>How <see cref="EmbeddingTable.Open"/> loads and checks a table.</summary>
public sealed class TableOpenOptions
{
    /// <summary>Memory-map (default) or load into native memory.</summary>
    public TableResidency Residency { get; init; } = TableResidency.Mapped;

    /// <summary>
    /// Verify the row payload checksum on open (default). The headers and the index are always verified; skipping
    /// the rows trades the guarantee that a corrupt row is never served for a faster open of a trusted file.
    /// </summary>
    public bool VerifyRows { get; init; } = true;

    /// <summary>Hash checksum chunks on all cores (default).</summary>
    public bool ParallelVerify { get; init; } = true;
}
