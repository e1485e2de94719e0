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

    /// <summary>
    /// Serve the bytes of an already open table (another model version's) when this folder holds the same content
    /// (sizes, checksums and headers), instead of mapping or reading them again; off by default. Each table keeps its
    /// own overlay and cache. The server turns it on so that a version swap costs memory only for what changed.
    /// </summary>
    public bool ShareOpenFiles { get; init; }
}
