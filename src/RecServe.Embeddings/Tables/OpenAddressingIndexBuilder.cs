namespace RecServe.Embeddings.Tables;

/// <summary>Builds the bucket arrays of an <see cref="OpenAddressingIndex"/> from ids in row order (offline).</summary>
internal static class OpenAddressingIndexBuilder
{
    /// <summary>The index arrays; row <c>i</c> belongs to <c>ids[i]</c>.</summary>
    /// <exception cref="ArgumentException">An id occurs twice.</exception>
    public static (long[] Keys, int[] Rows, int EmptyKeyRow) Build(ReadOnlySpan<long> ids)
    {
        var bucketCount = OpenAddressingIndex.BucketCountFor(ids.Length);
        var keys = new long[bucketCount];
        var rows = new int[bucketCount];
        var mask = (ulong)bucketCount - 1;
        var shift = 64 - System.Numerics.BitOperations.Log2((ulong)bucketCount);
        var emptyKeyRow = -1;
        for (var row = 0; row < ids.Length; row++)
        {
            var id = ids[row];
            if (id == OpenAddressingIndex.EmptyKey)
            {
                if (emptyKeyRow >= 0)
                {
                    throw DuplicateId(id);
                }
                emptyKeyRow = row;
                continue;
            }
            var bucket = OpenAddressingIndex.HomeBucket(id, shift);
            while (keys[bucket] != OpenAddressingIndex.EmptyKey)
            {
                if (keys[bucket] == id)
                {
                    throw DuplicateId(id);
                }
                bucket = (bucket + 1) & mask;
            }
            keys[bucket] = id;
            rows[bucket] = row;
        }
        return (keys, rows, emptyKeyRow);
    }

    private static ArgumentException DuplicateId(long id) => new($"id {id} was added twice");
}
