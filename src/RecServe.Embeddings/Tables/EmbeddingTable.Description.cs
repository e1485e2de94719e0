using System.Globalization;
using System.IO.Hashing;
using System.Text;

namespace RecServe.Embeddings.Tables;

// Reading a table without serving it from here: its description, and its entries in a stable order, for copying
// the table somewhere else (a cluster tier) in resumable chunks.
public sealed unsafe partial class EmbeddingTable
{
    /// <summary>Describes the table in <paramref name="folder"/> from its metadata only.</summary>
    /// <exception cref="TableFormatException">The metadata is missing or invalid.</exception>
    public static TableDescription Describe(string folder)
    {
        var meta = ReadMeta(folder, out var dataType);
        var identity = string.Join('|', meta.Name, meta.Dim.ToString(CultureInfo.InvariantCulture), meta.Dtype,
            meta.RowCount.ToString(CultureInfo.InvariantCulture), meta.IndexFile.Checksum, meta.RowsFile.Checksum);
        var hash = XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(identity));
        return new TableDescription(meta.Name, meta.Dim, dataType, meta.RowCount, meta.DefaultRow ?? new float[meta.Dim],
            hash.ToString("x16", CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Copies the (id, row index) entries held in index buckets from <paramref name="startBucket"/> on into
    /// <paramref name="ids"/> and <paramref name="rowIndices"/> until they are full or the buckets end; returns the
    /// bucket to continue from (<see cref="BucketCount"/> at the end). The id 0 lives outside the buckets: ask
    /// <see cref="TryGetRow"/> for it.
    /// </summary>
    public long ReadEntries(long startBucket, Span<long> ids, Span<int> rowIndices, out int count)
    {
        ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfNegative(startBucket);
        var capacity = Math.Min(ids.Length, rowIndices.Length);
        var keys = _index.Keys;
        var rows = _index.BucketRows;
        count = 0;
        var bucket = startBucket;
        for (; bucket < BucketCount && count < capacity; bucket++)
        {
            if (keys[bucket] != OpenAddressingIndex.EmptyKey)
            {
                ids[count] = keys[bucket];
                rowIndices[count++] = rows[bucket];
            }
        }
        return bucket;
    }
}
