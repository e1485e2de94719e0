namespace RecServe.Embeddings.Kernels;

public static unsafe partial class EmbeddingPooling
{
    /// <summary>
    /// Pooling of fixed-size bags no longer than a segment. Each segment holds whole bags only, so every bag starts
    /// and ends inside one segment: no cursor, no second pointer block, and one-id bags are a plain decode per row.
    /// This is the common serving shape, and at small dims the per-bag bookkeeping of the general loop costs as
    /// much as the row itself.
    /// </summary>
    private static PoolingStats RunWholeBags<TDecoder>(Tables.EmbeddingTable table, ReadOnlySpan<long> ids, int bagSize, PoolingMode mode,
        float* output, KernelIsa isa)
        where TDecoder : IRowDecoder
    {
        var rows = stackalloc byte*[SegmentSize];
        var locator = new RowLocator(table);
        var dim = table.Dim;
        var segment = SegmentSize / bagSize * bagSize;
        long lookups = 0;
        long misses = 0;
        // As in the general loop: one overlay version (rows changed by deltas) for the whole batch.
        var overlay = table.Overlay;
        for (var start = 0; start < ids.Length; start += segment)
        {
            var count = Math.Min(segment, ids.Length - start);
            lookups += locator.Resolve(ids, start, count, rows, ref misses);
            overlay?.Patch(ids, start, count, rows, ref misses, table.DefaultRowPointer);
            var destination = output + (long)(start / bagSize) * dim;
            if (bagSize == 1)
            {
                // A one-id bag's sum and mean are its row.
                Unpooled<TDecoder>(rows, count, destination, dim, isa);
            }
            else
            {
                PoolSegment<TDecoder>(rows, count, bagSize, destination, dim, mode, isa);
            }
        }
        // The overlay's rows live as long as it does: keep it reachable until the last row pointer is used.
        GC.KeepAlive(overlay);
        return new PoolingStats(lookups, misses);
    }

    /// <summary>Pools the whole bags of one segment, dropping each bag's padding in place before adding its rows.</summary>
    private static void PoolSegment<TDecoder>(byte** rows, int count, int bagSize, float* destination, int dim, PoolingMode mode, KernelIsa isa)
        where TDecoder : IRowDecoder
    {
        for (var first = 0; first < count; first += bagSize, destination += dim)
        {
            var bag = rows + first;
            var found = 0;
            for (var j = 0; j < bagSize; j++)
            {
                // Branch-free compaction: padding is rare, but a mispredicted branch per id would cost more.
                var row = bag[j];
                bag[found] = row;
                found += row is null ? 0 : 1;
            }
            if (found == 0)
            {
                new Span<float>(destination, dim).Clear();
                continue;
            }
            RowAccumulator.Accumulate<TDecoder>(bag, found, destination, dim, overwrite: true, isa);
            if (mode == PoolingMode.Mean && found > 1)
            {
                RowAccumulator.Scale(destination, dim, 1f / found, isa);
            }
        }
    }
}
