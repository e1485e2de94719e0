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
        var denseRange = meta.Index.Kind == TableIndexMeta.DenseRangeKind;
        return new TableDescription(meta.Name, meta.Dim, dataType, meta.RowCount, meta.DefaultRow ?? new float[meta.Dim],
            hash.ToString("x16", CultureInfo.InvariantCulture))
        {
            IndexKind = denseRange ? TableIndexKind.DenseRange : TableIndexKind.OpenAddressing,
            FirstId = denseRange ? meta.Index.FirstId ?? 0 : 0,
        };
    }

    /// <summary>
    /// How many entry positions <see cref="ReadEntries"/> walks: the hash index's buckets, or a dense key-range
    /// table's rows.
    /// </summary>
    public long EntryPositionCount => IndexKind == TableIndexKind.DenseRange ? RowCount : BucketCount;

    /// <summary>
    /// Copies the (id, row index) entries from entry position <paramref name="startPosition"/> on (a hash bucket, or
    /// a dense key-range table's row) into <paramref name="ids"/> and <paramref name="rowIndices"/> until they are
    /// full or the positions end; returns the position to continue from (<see cref="EntryPositionCount"/> at the
    /// end). The id 0 is never among them, whatever the index: ask <see cref="TryGetRow"/> for it.
    /// </summary>
    public long ReadEntries(long startPosition, Span<long> ids, Span<int> rowIndices, out int count)
    {
        ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfNegative(startPosition);
        var capacity = Math.Min(ids.Length, rowIndices.Length);
        count = 0;
        var position = startPosition;
        if (IndexKind == TableIndexKind.DenseRange)
        {
            for (; position < RowCount && count < capacity; position++)
            {
                var id = _range.FirstId + position;
                if (id != 0)
                {
                    ids[count] = id;
                    rowIndices[count++] = (int)position;
                }
            }
            return position;
        }
        var keys = _index.Keys;
        var rows = _index.BucketRows;
        for (; position < BucketCount && count < capacity; position++)
        {
            if (keys[position] != OpenAddressingIndex.EmptyKey)
            {
                ids[count] = keys[position];
                rowIndices[count++] = rows[position];
            }
        }
        return position;
    }
}
