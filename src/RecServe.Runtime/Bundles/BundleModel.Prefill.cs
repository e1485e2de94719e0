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
            var row = new float[table.Dim];
            for (var i = 0; i < count; i++)
            {
                // Ids the new table lacks would cache the default row: leave them to the first request.
                if (table.Table.ReadRowOrDefault(ids[i], row) && cache.TryAdmit(ids[i], row))
                {
                    admitted++;
                }
            }
        }
        return admitted;
    }
}
