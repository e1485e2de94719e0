namespace RecServe.Embeddings.Tables;

// Readahead: a mapped table's rows that are not in memory come from disk one page fault at a time, each waiting for
// the disk; asking for a whole batch's pages first puts all of their reads in flight together.
public sealed unsafe partial class EmbeddingTable
{
    /// <summary>
    /// For a mapped table, asks the OS to start reading the pages that a lookup of <paramref name="ids"/> will touch
    /// (index buckets first, then rows), without waiting; does nothing for a table in memory. Advice only: what a
    /// lookup returns never changes. Costs one system call per distinct page (two more per id for a hash index), even
    /// when the pages are resident, so callers use it for ids that missed a cache, not for every lookup.
    /// </summary>
    public void AdviseWillNeed(ReadOnlySpan<long> ids)
    {
        if (Residency != TableResidency.Mapped || ids.IsEmpty)
        {
            return;
        }
        ThrowIfDisposed();
        if (IndexKind == TableIndexKind.OpenAddressing)
        {
            // The probe reads the home bucket's key and row number, in two arrays: their pages must arrive before the
            // row's address is known, so they are asked for all at once, and the row loop below waits at most once.
            var index = _index;
            for (var i = 0; i < ids.Length; i++)
            {
                var bucket = index.HomeBucket(ids[i]);
                LinuxMemoryAdvice.WillNeed(index.Keys + bucket, sizeof(long));
                LinuxMemoryAdvice.WillNeed(index.BucketRows + bucket, sizeof(int));
            }
        }
        const long pageMask = ~4095L;
        var lastPage = -1L;
        for (var i = 0; i < ids.Length; i++)
        {
            if (!TryGetRow(ids[i], out var row))
            {
                continue;
            }
            var address = RowPointer(row);
            var page = (long)address & pageMask;
            if (page != lastPage || (((long)address + RowStride - 1) & pageMask) != page)
            {
                LinuxMemoryAdvice.WillNeed(address, RowStride);
                lastPage = page;
            }
        }
    }
}
