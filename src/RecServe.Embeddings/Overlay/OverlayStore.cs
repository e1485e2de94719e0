using System.Buffers.Binary;
using RecServe.Core.Tensors;
using RecServe.Embeddings.Deltas;
using RocksDbSharp;

namespace RecServe.Embeddings.Overlay;

/// <summary>
/// The overlay's durable half: changed rows, tombstones, dense weights and the last applied seq in one RocksDB
/// database. A delta is committed as one synced WriteBatch that also moves the last applied seq, so a crash at any
/// point leaves exactly the state before or after the delta, and the seq says which.
/// </summary>
internal sealed unsafe class OverlayStore : IDisposable
{
    private readonly RocksDb _db;
    private readonly WriteOptions _syncWrite = new WriteOptions().SetSync(true);

    private OverlayStore(RocksDb db, string directory)
    {
        _db = db;
        Directory = directory;
    }

    public string Directory { get; }

    public static OverlayStore Open(string directory)
    {
        System.IO.Directory.CreateDirectory(directory);
        var options = new DbOptions()
            .SetCreateIfMissing(true)
            // Deltas arrive as large batches: a big memtable takes one without stalling on flushes.
            .SetWriteBufferSize(256UL << 20)
            .SetMaxWriteBufferNumber(3);
        return new OverlayStore(RocksDb.Open(options, directory), directory);
    }

    public long LastAppliedSeq
    {
        get
        {
            var value = _db.Get(OverlayKeys.LastAppliedSeq);
            return value is null ? 0 : BinaryPrimitives.ReadInt64LittleEndian(value);
        }
    }

    /// <summary>Records each table's dim and dtype on first use, and refuses tables that differ from what the store holds.</summary>
    public void RegisterTables(IReadOnlyList<DeltaTableSchema> tables)
    {
        foreach (var table in tables)
        {
            var key = OverlayKeys.TableMeta(table.Name);
            var expected = new byte[8];
            BinaryPrimitives.WriteInt32LittleEndian(expected, table.Dim);
            BinaryPrimitives.WriteInt32LittleEndian(expected.AsSpan(4), (int)table.DataType);
            var stored = _db.Get(key);
            if (stored is null)
            {
                _db.Put(key, expected, null, _syncWrite);
            }
            else if (!stored.AsSpan().SequenceEqual(expected))
            {
                throw new InvalidOperationException(
                    $"the overlay in {Directory} holds table '{table.Name}' with other dim or dtype than the model's (dim {table.Dim} {table.DataType.DisplayName()}); it belongs to another version");
            }
        }
    }

    /// <summary>Builds the snapshot of everything stored for <paramref name="table"/>, or null when nothing is.</summary>
    public OverlaySnapshot? LoadTable(DeltaTableSchema table)
    {
        var prefix = OverlayKeys.RowPrefix(table.Name);
        long ids = 0;
        long rows = 0;
        using (var iterator = _db.NewIterator())
        {
            for (iterator.Seek(prefix); iterator.Valid() && iterator.GetKeySpan().StartsWith(prefix); iterator.Next())
            {
                ids++;
                rows += iterator.GetValueSpan()[0] == OverlayKeys.RowValue ? 1 : 0;
            }
        }
        if (ids == 0)
        {
            return null;
        }
        var builder = new OverlaySnapshotBuilder(null, table.RowStride, ids, rows);
        using (var iterator = _db.NewIterator())
        {
            for (iterator.Seek(prefix); iterator.Valid() && iterator.GetKeySpan().StartsWith(prefix); iterator.Next())
            {
                var id = OverlayKeys.ReadId(iterator.GetKeySpan());
                var value = iterator.GetValueSpan();
                if (value[0] == OverlayKeys.RowValue)
                {
                    builder.Upsert(id, value[1..]);
                }
                else
                {
                    builder.Delete(id);
                }
            }
        }
        return builder.Build();
    }

    /// <summary>The dense weight replacements applied so far (the latest per name).</summary>
    public List<DenseWeightUpdate> LoadDense()
    {
        var result = new List<DenseWeightUpdate>();
        using var iterator = _db.NewIterator();
        for (iterator.Seek(OverlayKeys.DensePrefix); iterator.Valid() && iterator.GetKeySpan().StartsWith(OverlayKeys.DensePrefix); iterator.Next())
        {
            var name = System.Text.Encoding.UTF8.GetString(iterator.GetKeySpan()[1..]);
            var value = iterator.GetValueSpan();
            var dataType = (TensorDataType)BinaryPrimitives.ReadInt32LittleEndian(value);
            var shape = new long[BinaryPrimitives.ReadInt32LittleEndian(value[4..])];
            for (var i = 0; i < shape.Length; i++)
            {
                shape[i] = BinaryPrimitives.ReadInt64LittleEndian(value[(8 + 8 * i)..]);
            }
            result.Add(new DenseWeightUpdate(name, dataType, shape, value[(8 + 8 * shape.Length)..].ToArray()));
        }
        return result;
    }

    /// <summary>Writes every record and dense weight of <paramref name="delta"/> and its seq in one synced batch.</summary>
    public void Commit(DeltaFile delta)
    {
        using var batch = new WriteBatch();
        var prefixes = new byte[delta.Tables.Count][];
        var maxKey = 0;
        var maxValue = 1;
        for (var t = 0; t < prefixes.Length; t++)
        {
            prefixes[t] = OverlayKeys.RowPrefix(delta.Tables[t].Name);
            maxKey = Math.Max(maxKey, prefixes[t].Length + 8);
            maxValue = Math.Max(maxValue, 1 + delta.Tables[t].Schema.RowStride);
        }
        var key = new byte[maxKey];
        var value = new byte[maxValue];
        fixed (byte* keyPointer = key)
        fixed (byte* valuePointer = value)
        {
            foreach (var record in delta.Records)
            {
                var prefix = prefixes[record.TableIndex];
                OverlayKeys.WriteRowKey(prefix, record.Id, key);
                value[0] = record.Kind == DeltaRecordKind.Upsert ? OverlayKeys.RowValue : OverlayKeys.TombstoneValue;
                record.Row.CopyTo(value.AsSpan(1));
                batch.Put(keyPointer, (ulong)(prefix.Length + 8), valuePointer, (ulong)(1 + record.Row.Length), null);
            }
        }
        foreach (var dense in delta.DenseUpdates)
        {
            batch.Put(OverlayKeys.Dense(dense.Name), EncodeDense(dense), null);
        }
        var seq = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(seq, delta.Seq);
        batch.Put(OverlayKeys.LastAppliedSeq, seq, null);
        _db.Write(batch, _syncWrite);
    }

    private static byte[] EncodeDense(DenseWeightUpdate dense)
    {
        var header = 8 + 8 * dense.Shape.Length;
        var value = new byte[header + dense.Data.Length];
        BinaryPrimitives.WriteInt32LittleEndian(value, (int)dense.DataType);
        BinaryPrimitives.WriteInt32LittleEndian(value.AsSpan(4), dense.Shape.Length);
        for (var i = 0; i < dense.Shape.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(value.AsSpan(8 + 8 * i), dense.Shape[i]);
        }
        dense.Data.CopyTo(value, header);
        return value;
    }

    public void Dispose() => _db.Dispose();
}
