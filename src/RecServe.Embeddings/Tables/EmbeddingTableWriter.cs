using System.Runtime.InteropServices;
using System.Text.Json;
using RecServe.Core.Tensors;

namespace RecServe.Embeddings.Tables;

/// <summary>
/// Writes one table folder offline. Rows are encoded to the table's data type and streamed to disk as they are
/// added; ids stay in memory (8 bytes each) until <see cref="Complete"/> builds the index: a dense key-range index
/// when the ids are consecutive in row order (nothing stored per row), else the hash index. Everything is
/// written into a temporary sibling folder that is renamed into place only when complete, so a reader never
/// sees a half-written table.
/// </summary>
public sealed class EmbeddingTableWriter : IDisposable
{
    private readonly string _folder;
    private readonly string _tempFolder;
    private readonly string _name;
    private readonly int _dim;
    private readonly TensorDataType _dataType;
    private readonly float[]? _defaultRow;
    private readonly int _stride;
    private readonly byte[] _encoded;
    private readonly ChunkedChecksum _rowsChecksum = new();
    private readonly List<long> _ids = [];
    private FileStream? _rows;
    private bool _completed;

    /// <summary>Starts a table of <paramref name="dim"/>-wide rows stored as <paramref name="dataType"/>.</summary>
    /// <param name="folder">The table folder to create.</param>
    /// <param name="name">The table's name, recorded in its metadata.</param>
    /// <param name="dim">Values per row.</param>
    /// <param name="dataType">Float32, Float16 or Int8 (row-wise scale and bias).</param>
    /// <param name="defaultRow">The row served for unknown ids; empty means zeros.</param>
    public EmbeddingTableWriter(string folder, string name, int dim, TensorDataType dataType, ReadOnlySpan<float> defaultRow = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dim);
        if (!RowCodec.IsSupported(dataType))
        {
            throw new ArgumentException($"rows cannot be stored as {dataType.DisplayName()}", nameof(dataType));
        }
        if (!defaultRow.IsEmpty && defaultRow.Length != dim)
        {
            throw new ArgumentException($"default row has {defaultRow.Length} values, the table has dim {dim}", nameof(defaultRow));
        }
        _folder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        _tempFolder = $"{_folder}.tmp-{Guid.NewGuid():N}";
        _name = name;
        _dim = dim;
        _dataType = dataType;
        _stride = RowCodec.RowStride(dim, dataType);
        _encoded = new byte[_stride];
        if (!defaultRow.IsEmpty)
        {
            // Checks that the default row is encodable now rather than at the end.
            RowCodec.Encode(defaultRow, dataType, _encoded);
            _defaultRow = defaultRow.ToArray();
        }
        Directory.CreateDirectory(_tempFolder);
        _rows = new FileStream(Path.Combine(_tempFolder, TableFormat.RowsFileName), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 20);
        _rows.Write(new byte[TableFormat.HeaderBytes]);
    }

    /// <summary>Replace an existing table folder on <see cref="Complete"/> instead of failing.</summary>
    public bool ReplaceExisting { get; set; }

    /// <summary>
    /// Whether consecutive ids in row order get a dense key-range index (format version 2, no hash index); true by
    /// default. Off, every table gets the hash index (version 1), which builds that read only version 1 can open.
    /// </summary>
    public bool AllowDenseRange { get; set; } = true;

    /// <summary>Rows added so far.</summary>
    public long RowCount => _ids.Count;

    /// <summary>Adds the row of <paramref name="id"/>.</summary>
    /// <exception cref="ArgumentException">Wrong width, or a value not finite or out of the data type's range.</exception>
    public void Add(long id, ReadOnlySpan<float> row)
    {
        var stream = _rows ?? throw new InvalidOperationException("the writer is completed or disposed");
        if (row.Length != _dim)
        {
            throw new ArgumentException($"row has {row.Length} values, the table has dim {_dim}", nameof(row));
        }
        if (_ids.Count == int.MaxValue)
        {
            throw new InvalidOperationException($"a table holds at most {int.MaxValue} rows");
        }
        RowCodec.Encode(row, _dataType, _encoded);
        _rowsChecksum.Append(_encoded);
        stream.Write(_encoded);
        _ids.Add(id);
    }

    /// <summary>Adds <paramref name="ids"/>.Length rows laid out one after another in <paramref name="rows"/>.</summary>
    public void AddRange(ReadOnlySpan<long> ids, ReadOnlySpan<float> rows)
    {
        if (rows.Length != (long)ids.Length * _dim)
        {
            throw new ArgumentException($"{ids.Length} ids need {(long)ids.Length * _dim} values, got {rows.Length}", nameof(rows));
        }
        for (var i = 0; i < ids.Length; i++)
        {
            Add(ids[i], rows.Slice(i * _dim, _dim));
        }
    }

    /// <summary>Builds the index, writes the headers and metadata, and renames the folder into place.</summary>
    /// <exception cref="ArgumentException">An id was added twice; nothing is left on disk.</exception>
    /// <exception cref="IOException">The folder exists and <see cref="ReplaceExisting"/> is false.</exception>
    public void Complete()
    {
        var stream = _rows ?? throw new InvalidOperationException("the writer is completed or disposed");
        var ids = CollectionsMarshal.AsSpan(_ids);
        var denseRange = AllowDenseRange && DenseRangeIndex.Fits(ids);
        // Built before anything is finished on disk, so a duplicate id leaves nothing behind.
        var (keys, bucketRows, emptyKeyRow) = denseRange ? (Array.Empty<long>(), Array.Empty<int>(), -1) : OpenAddressingIndexBuilder.Build(ids);

        var rowsHeader = new RowFileHeader(ids.Length, _dim, _dataType, _stride, _rowsChecksum.GetValue(),
            denseRange ? TableFormat.DenseRangeVersion : TableFormat.HashIndexVersion);
        Span<byte> header = stackalloc byte[TableFormat.HeaderBytes];
        rowsHeader.Write(header);
        stream.Position = 0;
        stream.Write(header);
        stream.Flush(flushToDisk: true);
        stream.Dispose();
        _rows = null;

        var entryCount = emptyKeyRow >= 0 ? ids.Length - 1 : ids.Length;
        var indexHeader = denseRange ? WriteDenseRangeIndex(ids[0], ids.Length) : WriteIndex(keys, bucketRows, entryCount, emptyKeyRow);
        WriteMeta(rowsHeader, indexHeader);
        MoveIntoPlace();
        _completed = true;
    }

    private IndexFileHeader WriteIndex(long[] keys, int[] rows, long entryCount, int emptyKeyRow)
    {
        var keyBytes = MemoryMarshal.AsBytes(keys.AsSpan());
        var rowBytes = MemoryMarshal.AsBytes(rows.AsSpan());
        var checksum = new ChunkedChecksum();
        checksum.Append(keyBytes);
        checksum.Append(rowBytes);
        var header = IndexFileHeader.ForHash(keys.Length, entryCount, emptyKeyRow, checksum.GetValue());
        WriteIndexFile(header, keyBytes, rowBytes);
        return header;
    }

    private IndexFileHeader WriteDenseRangeIndex(long firstId, long rowCount)
    {
        Span<byte> payload = stackalloc byte[IndexFileHeader.DenseRangePayloadBytes];
        IndexFileHeader.WriteDenseRangePayload(payload, firstId, rowCount);
        var checksum = new ChunkedChecksum();
        checksum.Append(payload);
        var header = IndexFileHeader.ForDenseRange(firstId, rowCount, checksum.GetValue());
        WriteIndexFile(header, payload, []);
        return header;
    }

    private void WriteIndexFile(IndexFileHeader header, ReadOnlySpan<byte> payload, ReadOnlySpan<byte> morePayload)
    {
        Span<byte> headerBytes = stackalloc byte[TableFormat.HeaderBytes];
        header.Write(headerBytes);
        using var file = new FileStream(Path.Combine(_tempFolder, TableFormat.IndexFileName), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
        file.Write(headerBytes);
        file.Write(payload);
        file.Write(morePayload);
        file.Flush(flushToDisk: true);
    }

    private void WriteMeta(RowFileHeader rows, IndexFileHeader index)
    {
        var meta = new TableMeta
        {
            FormatVersion = index.Version,
            Name = _name,
            Dim = _dim,
            Dtype = DataTypeNames.ToName(_dataType),
            RowCount = rows.RowCount,
            DefaultRow = _defaultRow,
            Index = index.IsDenseRange
                ? new TableIndexMeta { Kind = TableIndexMeta.DenseRangeKind, FirstId = index.FirstId }
                : new TableIndexMeta
                {
                    Kind = TableIndexMeta.OpenAddressingKind,
                    Hash = TableIndexMeta.FibonacciLinearProbeHash,
                    BucketCount = index.BucketCount,
                    EmptyKey = OpenAddressingIndex.EmptyKey,
                },
            ChecksumAlgorithm = TableFormat.ChecksumAlgorithm,
            IndexFile = new TableFileMeta
            {
                Path = TableFormat.IndexFileName,
                Bytes = TableFormat.HeaderBytes + index.PayloadBytes,
                Checksum = index.PayloadChecksum.ToString("x16"),
            },
            RowsFile = new TableFileMeta
            {
                Path = TableFormat.RowsFileName,
                Bytes = TableFormat.HeaderBytes + rows.PayloadBytes,
                Checksum = rows.PayloadChecksum.ToString("x16"),
            },
        };
        using var file = new FileStream(Path.Combine(_tempFolder, TableFormat.MetaFileName), FileMode.CreateNew, FileAccess.Write);
        JsonSerializer.Serialize(file, meta, TableMetaJsonContext.Default.TableMeta);
        file.Flush(flushToDisk: true);
    }

    private void MoveIntoPlace()
    {
        if (!Directory.Exists(_folder))
        {
            Directory.Move(_tempFolder, _folder);
            return;
        }
        if (!ReplaceExisting)
        {
            throw new IOException($"{_folder} already exists");
        }
        // Two renames: readers see the old table or the new one, and only a crash in between leaves the old one
        // beside the target under its .old name.
        var old = $"{_folder}.old-{Guid.NewGuid():N}";
        Directory.Move(_folder, old);
        Directory.Move(_tempFolder, _folder);
        Directory.Delete(old, recursive: true);
    }

    /// <summary>Abandons an incomplete table: its temporary folder is deleted.</summary>
    public void Dispose()
    {
        _rows?.Dispose();
        _rows = null;
        if (!_completed && Directory.Exists(_tempFolder))
        {
            Directory.Delete(_tempFolder, recursive: true);
        }
    }
}
