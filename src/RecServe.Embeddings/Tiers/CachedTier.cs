using System.Buffers;
using RecServe.Embeddings.Cache;

namespace RecServe.Embeddings.Tiers;

/// <summary>
/// A <see cref="HotRowCache"/> in front of another tier: hits are served from the cache, misses are asked of the
/// inner tier in one batch and offered to the cache. Scratch buffers come from <see cref="ArrayPool{T}"/>, so a
/// steady state allocates nothing.
/// </summary>
public sealed class CachedTier : IEmbeddingTier
{
    // Ids looked ahead: enough to keep several of the cache's misses in flight while one id is served.
    private const int PrefetchDistance = 8;
    private const int RowPrefetchDistance = 4;

    private readonly IEmbeddingTier _inner;

    /// <summary>Puts <paramref name="cache"/> in front of <paramref name="inner"/>.</summary>
    public CachedTier(HotRowCache cache, IEmbeddingTier inner)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(inner);
        if (cache.Dim != inner.Dim)
        {
            throw new ArgumentException($"cache holds dim {cache.Dim}, the inner tier dim {inner.Dim}", nameof(cache));
        }
        Cache = cache;
        _inner = inner;
    }

    /// <summary>The cache in front.</summary>
    public HotRowCache Cache { get; }

    /// <inheritdoc />
    public int Dim => Cache.Dim;

    /// <summary>Counters of the cache alone: its hits, and the misses passed to the inner tier.</summary>
    public TierMetrics Metrics { get; } = new();

    /// <inheritdoc />
    public int Gather(ReadOnlySpan<long> ids, Span<float> rows, Span<bool> found)
    {
        var dim = Dim;
        if (rows.Length < (long)ids.Length * dim || found.Length < ids.Length)
        {
            throw new ArgumentException($"{ids.Length} ids need {(long)ids.Length * dim} row values and {ids.Length} flags");
        }
        var missIds = ArrayPool<long>.Shared.Rent(ids.Length);
        var missPositions = ArrayPool<int>.Shared.Rent(ids.Length);
        try
        {
            var hits = 0;
            var misses = 0;
            for (var i = 0; i < ids.Length; i++)
            {
                // Two stages: the set and sketch of an id far ahead, then the row of one whose set has arrived.
                if (i + PrefetchDistance < ids.Length)
                {
                    Cache.Prefetch(ids[i + PrefetchDistance]);
                }
                if (i + RowPrefetchDistance < ids.Length)
                {
                    Cache.PrefetchRow(ids[i + RowPrefetchDistance]);
                }
                if (Cache.TryGet(ids[i], rows.Slice(i * dim, dim)))
                {
                    found[i] = true;
                    hits++;
                }
                else
                {
                    found[i] = false;
                    missIds[misses] = ids[i];
                    missPositions[misses++] = i;
                }
            }
            Metrics.RecordBatch(ids.Length, hits);
            var innerHits = misses > 0 ? GatherMisses(missIds.AsSpan(0, misses), missPositions.AsSpan(0, misses), rows, found) : 0;
            Metrics.SetResidentBytes(Cache.ResidentBytes);
            return hits + innerHits;
        }
        finally
        {
            ArrayPool<long>.Shared.Return(missIds);
            ArrayPool<int>.Shared.Return(missPositions);
        }
    }

    private int GatherMisses(ReadOnlySpan<long> ids, ReadOnlySpan<int> positions, Span<float> rows, Span<bool> found)
    {
        var dim = Dim;
        var missRows = ArrayPool<float>.Shared.Rent(ids.Length * dim);
        var missFound = ArrayPool<bool>.Shared.Rent(ids.Length);
        try
        {
            var hits = _inner.Gather(ids, missRows, missFound);
            for (var j = 0; j < ids.Length; j++)
            {
                // Admission compares the id with every entry of its set: their sets, then their sketch counters, ahead.
                if (j + PrefetchDistance < ids.Length)
                {
                    Cache.Prefetch(ids[j + PrefetchDistance]);
                }
                if (j + RowPrefetchDistance < ids.Length)
                {
                    Cache.PrefetchVictims(ids[j + RowPrefetchDistance]);
                }
                if (!missFound[j])
                {
                    continue;
                }
                var row = missRows.AsSpan(j * dim, dim);
                row.CopyTo(rows.Slice(positions[j] * dim, dim));
                found[positions[j]] = true;
                Cache.TryAdmit(ids[j], row);
            }
            return hits;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(missRows);
            ArrayPool<bool>.Shared.Return(missFound);
        }
    }
}
