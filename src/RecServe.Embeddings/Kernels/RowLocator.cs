using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using RecServe.Embeddings.Tables;

namespace RecServe.Embeddings.Kernels;

/// <summary>
/// Turns ids into row pointers a segment at a time, in one tight loop over locals: the hash bucket of the id
/// <see cref="BucketPrefetchDistance"/> positions ahead is prefetched (across bag boundaries), and every row is
/// prefetched as soon as it is found, so that many cache misses are in flight at once even with one-id bags.
/// Padding (negative ids) becomes null; unknown ids become the table's encoded default row. A dense key-range table
/// takes its own loop: the row is the id minus the first id, with no index memory to probe or prefetch.
/// </summary>
internal readonly unsafe struct RowLocator
{
    public const int BucketPrefetchDistance = 16;

    private const int CacheLineBytes = 64;

    private readonly long* _keys;
    private readonly int* _bucketRows;
    private readonly ulong _mask;
    private readonly int _shift;
    private readonly int _emptyKeyRow;
    private readonly byte* _rows;
    private readonly long _stride;
    private readonly byte* _defaultRow;
    private readonly bool _denseRange;
    private readonly long _firstId;
    private readonly int _rangeCount;

    public RowLocator(EmbeddingTable table)
    {
        _denseRange = table.IndexKind == TableIndexKind.DenseRange;
        _firstId = table.Range.FirstId;
        _rangeCount = table.Range.Count;
        var index = table.Index;
        _keys = index.Keys;
        _bucketRows = index.BucketRows;
        _mask = index.Mask;
        _shift = index.Shift;
        _emptyKeyRow = index.EmptyKeyRow;
        _rows = table.RowPointer(0);
        _stride = table.RowStride;
        _defaultRow = table.DefaultRowPointer;
    }

    /// <summary>
    /// Fills <paramref name="rows"/>[0..count) for <paramref name="ids"/>[start..start+count); returns the number of
    /// non-padding ids and adds the unknown ones to <paramref name="misses"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public int Resolve(ReadOnlySpan<long> ids, int start, int count, byte** rows, ref long misses)
    {
        if (_denseRange)
        {
            return ResolveDenseRange(ids, start, count, rows, ref misses);
        }
        var keys = _keys;
        var bucketRows = _bucketRows;
        var mask = _mask;
        var shift = _shift;
        var lookups = 0;
        var missed = 0;
        var prefetchEnd = ids.Length - BucketPrefetchDistance;
        for (var i = 0; i < count; i++)
        {
            var position = start + i;
            if (Sse.IsSupported && position < prefetchEnd)
            {
                Sse.Prefetch0(keys + OpenAddressingIndex.HomeBucket(ids[position + BucketPrefetchDistance], shift));
            }
            var id = ids[position];
            byte* row = null;
            if (id >= 0)
            {
                lookups++;
                var rowIndex = Find(keys, bucketRows, mask, shift, id);
                if (rowIndex >= 0)
                {
                    row = _rows + rowIndex * _stride;
                }
                else
                {
                    row = _defaultRow;
                    missed++;
                }
                PrefetchRow(row);
            }
            rows[i] = row;
        }
        misses += missed;
        return lookups;
    }

    /// <summary><see cref="Resolve"/> for a dense key-range table: no probe, the row number is the id's offset.</summary>
    private int ResolveDenseRange(ReadOnlySpan<long> ids, int start, int count, byte** rows, ref long misses)
    {
        var firstId = _firstId;
        var rangeCount = _rangeCount;
        var lookups = 0;
        var missed = 0;
        for (var i = 0; i < count; i++)
        {
            var id = ids[start + i];
            byte* row = null;
            if (id >= 0)
            {
                lookups++;
                var rowIndex = DenseRangeIndex.Find(id, firstId, rangeCount);
                if (rowIndex >= 0)
                {
                    row = _rows + rowIndex * _stride;
                }
                else
                {
                    row = _defaultRow;
                    missed++;
                }
                PrefetchRow(row);
            }
            rows[i] = row;
        }
        misses += missed;
        return lookups;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void PrefetchRow(byte* row)
    {
        if (Sse.IsSupported)
        {
            // Every line of the row: the adder reads them all, and a line left to demand would stall it.
            for (var line = 0L; line < _stride; line += CacheLineBytes)
            {
                Sse.Prefetch0(row + line);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Find(long* keys, int* bucketRows, ulong mask, int shift, long id)
    {
        if (id == OpenAddressingIndex.EmptyKey)
        {
            return _emptyKeyRow;
        }
        var bucket = OpenAddressingIndex.HomeBucket(id, shift);
        while (true)
        {
            var key = keys[bucket];
            if (key == id)
            {
                return bucketRows[bucket];
            }
            if (key == OpenAddressingIndex.EmptyKey)
            {
                return -1;
            }
            bucket = (bucket + 1) & mask;
        }
    }
}
