namespace RecServe.Embeddings.Tiers;

/// <summary>
/// One place embedding rows can come from (hot cache, local table, and in other projects an overlay or a remote
/// cluster). Tiers stack: a tier that misses leaves the id for the next one, and whoever sits at the bottom fills
/// what no tier found with the default row.
/// </summary>
public interface IEmbeddingTier
{
    /// <summary>Values per row.</summary>
    int Dim { get; }

    /// <summary>Counters of this tier alone.</summary>
    TierMetrics Metrics { get; }

    /// <summary>
    /// Looks up every id of <paramref name="ids"/>: a found row is decoded to floats into
    /// <paramref name="rows"/>[i·Dim .. (i+1)·Dim) and <paramref name="found"/>[i] set; the row of an id not found is
    /// left untouched and <paramref name="found"/>[i] cleared. Returns how many were found.
    /// </summary>
    int Gather(ReadOnlySpan<long> ids, Span<float> rows, Span<bool> found);
}
