using System.Buffers.Binary;
using RecServe.Core.Tensors;
using RecServe.Embeddings.Deltas;
using RocksDbSharp;

namespace RecServe.Embeddings.Overlay;

/// <summary>
/// The overlay's durable half: the records of every applied delta (upserted rows, deletes), dense weights and the
/// last applied seq in one RocksDB database. A delta is committed as one synced WriteBatch that also moves the last applied seq, so a crash at any
/// point leaves exactly the state before or after the delta, and the seq says which.
/// </summary>
internal sealed class OverlayStore : IDisposable
{
    private const int ChunkBytes = 1 << 20;

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

    /// <summary>Where the delta stream consumer stopped, as last committed; null before the first.</summary>
    public string? StreamPosition
    {
        get
        {
            var value = _db.Get(OverlayKeys.StreamPosition);
            return value is null ? null : System.Text.Encoding.UTF8.GetString(value);
        }
    }

    /// <summary>Moves the stream position alone (entries that changed no rows: skipped or refused), synced.</summary>
    public void WriteStreamPosition(string position)
    {
        try
        {
            _db.Put(OverlayKeys.StreamPosition, System.Text.Encoding.UTF8.GetBytes(position), null, _syncWrite);
        }
        catch (RocksDbException e)
        {
            throw new IOException($"writing the stream position into the overlay at {Directory} failed: {e.Message}", e);
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

    /// <summary>
    /// Replays every logged delta, in seq order, into one snapshot per table (null for a table no delta touched).
    /// </summary>
    /// <exception cref="InvalidOperationException">A logged delta names a table that is not among <paramref name="tables"/>.</exception>
    public OverlaySnapshot?[] LoadTables(IReadOnlyList<DeltaTableSchema> tables)
    {
        var ordinals = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var t = 0; t < tables.Count; t++)
        {
            ordinals[tables[t].Name] = t;
        }
        var logged = ReadLogHeaders(ordinals);
        // Two passes over the log: sizes first, so that each builder allocates once.
        var ids = new long[tables.Count];
        var rows = new long[tables.Count];
        ReplayLog(logged, tables, (table, record) =>
        {
            ids[table]++;
            rows[table] += record.Kind == DeltaRecordKind.Upsert ? 1 : 0;
        });
        var builders = new OverlaySnapshotBuilder?[tables.Count];
        for (var t = 0; t < tables.Count; t++)
        {
            builders[t] = ids[t] == 0 ? null : new OverlaySnapshotBuilder(null, tables[t].RowStride, ids[t], rows[t]);
        }
        ReplayLog(logged, tables, (table, record) =>
        {
            if (record.Kind == DeltaRecordKind.Upsert)
            {
                builders[table]!.Upsert(record.Id, record.Row);
            }
            else
            {
                builders[table]!.Delete(record.Id);
            }
        });
        var snapshots = new OverlaySnapshot?[tables.Count];
        for (var t = 0; t < tables.Count; t++)
        {
            snapshots[t] = builders[t]?.Build();
        }
        return snapshots;
    }

    private delegate void RecordVisitor(int table, DeltaRecord record);

    /// <summary>Each logged seq with the overlay ordinals of the tables its records index.</summary>
    private List<(long Seq, int[] Ordinals)> ReadLogHeaders(Dictionary<string, int> ordinals)
    {
        var logged = new List<(long, int[])>();
        ReadOnlySpan<byte> prefix = [OverlayKeys.LogHeaderPrefix];
        using var iterator = _db.NewIterator();
        for (iterator.Seek(prefix); iterator.Valid() && iterator.GetKeySpan().StartsWith(prefix); iterator.Next())
        {
            var seq = OverlayKeys.LogHeaderSeq(iterator.GetKeySpan());
            var names = OverlayKeys.DecodeNames(iterator.GetValueSpan());
            var map = new int[names.Length];
            for (var i = 0; i < names.Length; i++)
            {
                if (!ordinals.TryGetValue(names[i], out map[i]))
                {
                    throw new InvalidOperationException($"the overlay in {Directory} logs seq {seq} for table '{names[i]}', which the model does not have");
                }
            }
            logged.Add((seq, map));
        }
        return logged;
    }

    private void ReplayLog(List<(long Seq, int[] Ordinals)> logged, IReadOnlyList<DeltaTableSchema> tables, RecordVisitor visit)
    {
        using var iterator = _db.NewIterator();
        foreach (var (seq, ordinals) in logged)
        {
            var strides = new int[ordinals.Length];
            for (var i = 0; i < strides.Length; i++)
            {
                strides[i] = tables[ordinals[i]].RowStride;
            }
            var prefix = OverlayKeys.LogChunks(seq);
            for (iterator.Seek(prefix); iterator.Valid() && iterator.GetKeySpan().StartsWith(prefix); iterator.Next())
            {
                foreach (var record in new DeltaRecordEnumerator(iterator.GetValueSpan(), strides))
                {
                    visit(ordinals[record.TableIndex], record);
                }
            }
        }
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

    /// <summary>
    /// Logs the records and dense weights of <paramref name="delta"/> and moves the last applied seq, in one synced
    /// batch. Records are logged as they are in the file (chunks of whole records), not as one key per row: one put
    /// per megabyte instead of per row is what lets a million-row delta commit in well under a second. A delta read
    /// from a stream moves the <paramref name="streamPosition"/> in the same batch, so a restart resumes exactly after it.
    /// </summary>
    public void Commit(DeltaFile delta, string? streamPosition = null)
    {
        using var batch = new WriteBatch();
        var names = new string[delta.Tables.Count];
        for (var t = 0; t < names.Length; t++)
        {
            names[t] = delta.Tables[t].Name;
        }
        batch.Put(OverlayKeys.LogHeader(delta.Seq), OverlayKeys.EncodeNames(names), null);
        var records = delta.RecordBytes;
        var strides = delta.Strides;
        var chunk = 0;
        var start = 0;
        var position = 0;
        while (position < records.Length)
        {
            var kind = (DeltaRecordKind)records[position];
            var table = BinaryPrimitives.ReadUInt16LittleEndian(records[(position + 1)..]);
            position += DeltaFormat.RecordHeaderBytes + (kind == DeltaRecordKind.Upsert ? strides[table] : 0);
            if (position - start >= ChunkBytes || position == records.Length)
            {
                batch.Put(OverlayKeys.LogChunk(delta.Seq, chunk++), records[start..position], null);
                start = position;
            }
        }
        foreach (var dense in delta.DenseUpdates)
        {
            batch.Put(OverlayKeys.Dense(dense.Name), EncodeDense(dense), null);
        }
        var seq = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(seq, delta.Seq);
        batch.Put(OverlayKeys.LastAppliedSeq, seq, null);
        if (streamPosition is not null)
        {
            batch.Put(OverlayKeys.StreamPosition, System.Text.Encoding.UTF8.GetBytes(streamPosition), null);
        }
        try
        {
            _db.Write(batch, _syncWrite);
        }
        catch (RocksDbException e)
        {
            // A full disk (or any I/O failure) fails the whole batch: RocksDB's log recovery drops a partly written
            // batch, so the overlay keeps the state before this delta. Callers treat IOException as a refusal.
            throw new IOException($"writing delta seq {delta.Seq} into the overlay at {Directory} failed, nothing of it was applied: {e.Message}", e);
        }
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
