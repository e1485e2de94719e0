namespace RecServe.Embeddings.Tiers;

/// <summary>
/// Counters one tier keeps: lookups, hits, misses and the bytes it holds. Plain longs updated with Interlocked
/// once per batch; the server's metrics layer reads and exports them.
/// </summary>
public sealed class TierMetrics
{
    private long _lookups;
    private long _hits;
    private long _misses;
    private long _residentBytes;

    /// <summary>Ids asked of the tier.</summary>
    public long Lookups => Interlocked.Read(ref _lookups);

    /// <summary>Ids the tier had.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Ids the tier did not have.</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>Bytes the tier holds in memory (for a mapped table: bytes mapped, an upper bound).</summary>
    public long ResidentBytes => Interlocked.Read(ref _residentBytes);

    /// <summary>Counts one batch: <paramref name="lookups"/> ids of which <paramref name="hits"/> were found.</summary>
    public void RecordBatch(long lookups, long hits)
    {
        Interlocked.Add(ref _lookups, lookups);
        Interlocked.Add(ref _hits, hits);
        Interlocked.Add(ref _misses, lookups - hits);
    }

    /// <summary>Sets the resident byte count.</summary>
    public void SetResidentBytes(long bytes) => Interlocked.Exchange(ref _residentBytes, bytes);
}
