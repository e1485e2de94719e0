using System.Buffers.Binary;
using System.IO.Hashing;
using RecServe.Core.Tensors;
using RecServe.Embeddings.Tables;

namespace RecServe.Embeddings.Deltas;

/// <summary>
/// Writes a delta file: records stream into a temporary file beside the target; <see cref="Complete"/> fills in the
/// header and counts, appends the checksum, flushes and renames, so that a reader never sees a partial delta under
/// the final name. Disposing without completing deletes the temporary file.
/// </summary>
public sealed class DeltaFileWriter : IDisposable
{
    private const int BufferBytes = 1 << 20;

    private readonly string _path;
    private readonly string _tempPath;
    private readonly long _seq;
    private readonly DeltaTableSchema[] _tables;
    private readonly DenseWeightUpdate[] _dense;
    private readonly long[] _upserts;
    private readonly long[] _deletes;
    private readonly int[] _strides;
    private readonly Dictionary<string, int> _tableIndex = new(StringComparer.Ordinal);
    private readonly long _schemaBytes;
    private readonly byte[] _record;
    private FileStream? _stream;
    private bool _completed;

    /// <summary>A delta with sequence number <paramref name="seq"/> touching <paramref name="tables"/>, written to <paramref name="path"/>.</summary>
    public DeltaFileWriter(string path, long seq, IReadOnlyList<DeltaTableSchema> tables, IReadOnlyList<DenseWeightUpdate>? dense = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(seq);
        if (tables.Count > ushort.MaxValue + 1)
        {
            throw new ArgumentException($"a delta touches at most {ushort.MaxValue + 1} tables", nameof(tables));
        }
        _path = Path.GetFullPath(path);
        _seq = seq;
        _tables = [.. tables];
        _dense = dense is null ? [] : [.. dense];
        _upserts = new long[_tables.Length];
        _deletes = new long[_tables.Length];
        _strides = new int[_tables.Length];
        var maxStride = 0;
        for (var t = 0; t < _tables.Length; t++)
        {
            var table = _tables[t];
            DeltaSchemaCodec.CheckName(table.Name, "table");
            if (!_tableIndex.TryAdd(table.Name, t))
            {
                throw new ArgumentException($"table '{table.Name}' is listed twice", nameof(tables));
            }
            _strides[t] = table.RowStride;
            maxStride = Math.Max(maxStride, _strides[t]);
            _schemaBytes += DeltaSchemaCodec.TableEntryBytes(table.Name);
        }
        foreach (var weight in _dense)
        {
            DeltaSchemaCodec.CheckName(weight.Name, "dense weight");
            if (weight.ElementCount * weight.DataType.ElementSize() != weight.Data.Length || weight.Shape.Length > DeltaFormat.MaxRank)
            {
                throw new ArgumentException($"dense weight '{weight.Name}' holds {weight.Data.Length} bytes, its shape needs {weight.ElementCount * weight.DataType.ElementSize()}", nameof(dense));
            }
            _schemaBytes += DeltaSchemaCodec.DenseEntryBytes(weight);
        }
        _record = new byte[DeltaFormat.RecordHeaderBytes + maxStride];
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        _tempPath = _path + $".{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        _stream = new FileStream(_tempPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, BufferBytes);
        // Header and schema have a fixed size, so records go straight to their final offset.
        _stream.Position = DeltaFormat.HeaderBytes + _schemaBytes;
    }

    /// <summary>Records written so far.</summary>
    public long RecordCount { get; private set; }

    /// <summary>Index of <paramref name="table"/> among the writer's tables.</summary>
    public int TableIndex(string table) =>
        _tableIndex.TryGetValue(table, out var index) ? index : throw new ArgumentException($"table '{table}' is not in this delta", nameof(table));

    /// <summary>Sets the row of <paramref name="id"/> in table <paramref name="tableIndex"/>, encoding <paramref name="row"/> as the table stores rows.</summary>
    public void Upsert(int tableIndex, long id, ReadOnlySpan<float> row)
    {
        var table = _tables[tableIndex];
        if (row.Length != table.Dim)
        {
            throw new ArgumentException($"row has {row.Length} values, table '{table.Name}' has dim {table.Dim}", nameof(row));
        }
        var record = Begin(DeltaRecordKind.Upsert, tableIndex, id);
        RowCodec.Encode(row, table.DataType, record.AsSpan(DeltaFormat.RecordHeaderBytes, _strides[tableIndex]));
        Finish(DeltaFormat.RecordHeaderBytes + _strides[tableIndex]);
        _upserts[tableIndex]++;
    }

    /// <summary>Sets the row of <paramref name="id"/> to an already encoded row (one stride of <see cref="RowCodec"/>).</summary>
    public void UpsertEncoded(int tableIndex, long id, ReadOnlySpan<byte> encodedRow)
    {
        if (encodedRow.Length != _strides[tableIndex])
        {
            throw new ArgumentException($"encoded row is {encodedRow.Length} bytes, table '{_tables[tableIndex].Name}' rows are {_strides[tableIndex]}", nameof(encodedRow));
        }
        var record = Begin(DeltaRecordKind.Upsert, tableIndex, id);
        encodedRow.CopyTo(record.AsSpan(DeltaFormat.RecordHeaderBytes));
        Finish(DeltaFormat.RecordHeaderBytes + encodedRow.Length);
        _upserts[tableIndex]++;
    }

    /// <summary>Removes <paramref name="id"/> from table <paramref name="tableIndex"/> (it then gets the default row).</summary>
    public void Delete(int tableIndex, long id)
    {
        Begin(DeltaRecordKind.Delete, tableIndex, id);
        Finish(DeltaFormat.RecordHeaderBytes);
        _deletes[tableIndex]++;
    }

    /// <summary>Writes header, schema and checksum, flushes to disk and renames the file into place.</summary>
    public void Complete()
    {
        var stream = _stream ?? throw new InvalidOperationException("the delta was already completed or disposed");
        var counted = new DeltaTable[_tables.Length];
        for (var t = 0; t < counted.Length; t++)
        {
            counted[t] = new DeltaTable(_tables[t], _upserts[t], _deletes[t]);
        }
        // A delta of dense weights alone has no records: the file then ends where its schema does.
        var fileBytes = Math.Max(stream.Length, DeltaFormat.HeaderBytes + _schemaBytes) + DeltaFormat.TrailerBytes;
        var header = new DeltaHeader(DeltaFormat.Version, _seq, fileBytes, RecordCount, _tables.Length, _dense.Length, _schemaBytes);
        var headerBytes = new byte[DeltaFormat.HeaderBytes];
        header.Write(headerBytes);
        stream.Position = 0;
        stream.Write(headerBytes);
        DeltaSchemaCodec.Write(stream, counted, _dense);
        stream.Flush();
        var checksum = HashFile(stream);
        Span<byte> trailer = stackalloc byte[DeltaFormat.TrailerBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(trailer, checksum);
        stream.Position = stream.Length;
        stream.Write(trailer);
        stream.Flush(flushToDisk: true);
        stream.Dispose();
        _stream = null;
        File.Move(_tempPath, _path, overwrite: true);
        _completed = true;
    }

    private byte[] Begin(DeltaRecordKind kind, int tableIndex, long id)
    {
        if (_stream is null)
        {
            throw new InvalidOperationException("the delta was already completed or disposed");
        }
        if ((uint)tableIndex >= (uint)_tables.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(tableIndex), tableIndex, $"the delta has {_tables.Length} tables");
        }
        var record = _record;
        record[0] = (byte)kind;
        BinaryPrimitives.WriteUInt16LittleEndian(record.AsSpan(1), (ushort)tableIndex);
        BinaryPrimitives.WriteInt64LittleEndian(record.AsSpan(3), id);
        return record;
    }

    private void Finish(int length)
    {
        _stream!.Write(_record, 0, length);
        RecordCount++;
    }

    // The header is only known at the end, so the checksum takes one sequential pass over the written file.
    private static ulong HashFile(FileStream stream)
    {
        var hash = new XxHash3();
        var buffer = new byte[BufferBytes];
        stream.Position = 0;
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            hash.Append(buffer.AsSpan(0, read));
        }
        return hash.GetCurrentHashAsUInt64();
    }

    /// <summary>Closes the writer; an uncompleted delta's temporary file is deleted.</summary>
    public void Dispose()
    {
        _stream?.Dispose();
        _stream = null;
        if (!_completed && File.Exists(_tempPath))
        {
            File.Delete(_tempPath);
        }
    }
}
