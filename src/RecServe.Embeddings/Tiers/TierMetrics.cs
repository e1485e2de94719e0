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
    private long _degraded;

    /// <summary>Ids asked of the tier.</summary>
    public long Lookups => Interlocked.Read(ref _lookups);

    /// <summary>Ids the tier had.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Ids the tier did not have.</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>Bytes the tier holds in memory (for a mapped table: bytes mapped, an upper bound).</summary>
    public long ResidentBytes => Interlocked.Read(ref _residentBytes);

    /// <summary>
    /// Ids answered with the default row because the tier could not be asked (a remote shard down or too slow),
    /// not because the id is unknown; exported as <c>degraded_lookups_total</c>.
    /// </summary>
    public long DegradedLookups => Interlocked.Read(ref _degraded);

    /// <summary>Counts <paramref name="ids"/> degraded lookups (see <see cref="DegradedLookups"/>).</summary>
    public void RecordDegraded(long ids) => Interlocked.Add(ref _degraded, ids);

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
