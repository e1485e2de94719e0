namespace RecServe.Runtime.Bundles;

// Warm-up: a version about to replace another starts with the ids that were hot in the other's caches.
public sealed partial class BundleModel
{
    /// <summary>
    /// Fills each hot-row cache of this version with the rows (read from this version's tables) of the ids cached in
    /// <paramref name="previous"/>'s cache of the table with the same name and dim. Returns the rows admitted.
    /// </summary>
    public long PrefillCaches(BundleModel previous)
    {
        ArgumentNullException.ThrowIfNull(previous);
        long admitted = 0;
        foreach (var table in _tables)
        {
            var old = Array.Find(previous._tables, t => t.Name == table.Name && t.Dim == table.Dim);
            if (table.Cache is not { } cache || old?.Cache is not { } oldCache)
            {
                continue;
            }
            var ids = new long[Math.Min(oldCache.Capacity, cache.Capacity)];
            var count = oldCache.CopyKeys(ids);
            admitted += Prefill(table, cache, ids.AsSpan(0, count));
        }
        return admitted;
    }

    // Rows are read in batches from the table itself (a cluster table: one pipelined round per batch).
    private static long Prefill(ServedTable table, Embeddings.Cache.HotRowCache cache, ReadOnlySpan<long> ids)
    {
        const int Batch = 1024;
        var dim = table.Dim;
        var rows = new float[Batch * dim];
        var found = new bool[Batch];
        long admitted = 0;
        for (var start = 0; start < ids.Length; start += Batch)
        {
            var chunk = ids.Slice(start, Math.Min(Batch, ids.Length - start));
            try
            {
                table.ReadRows(chunk, rows, found);
            }
            catch (Core.Errors.ServingException)
            {
                // A cluster shard down in fail mode: the cache fills from traffic instead.
                return admitted;
            }
            for (var i = 0; i < chunk.Length; i++)
            {
                // Ids the new table lacks (or a degraded shard did not give) would cache the default row: leave them to the first request.
                if (found[i] && cache.TryAdmit(chunk[i], rows.AsSpan(i * dim, dim)))
                {
                    admitted++;
                }
            }
        }
        return admitted;
    }
}
