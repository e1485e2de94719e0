namespace RecServe.Embeddings.Kernels;

/// <summary>What one pooling call looked up: non-padding ids, and how many of them were unknown (default row).</summary>
/// <param name="Lookups">Ids looked up (padding excluded).</param>
/// <param name="Misses">Ids not in the table, served the default row.</param>
public readonly record struct PoolingStats(long Lookups, long Misses)
{
    /// <summary>Ids found in the table.</summary>
    public long Hits => Lookups - Misses;
}
