using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using RecServe.Core.Tensors;

namespace RecServe.Embeddings.Tables;

/// <summary>
/// An opened, verified, read-only embedding table: an id → row index (a hash index, or a dense key-range index when
/// the ids are consecutive) and the encoded rows, both used in place (memory-mapped or loaded into native memory).
/// Thread-safe for any number of readers. Disposing unmaps the files; the owner must make sure no lookup is still
/// running (serving code holds a lease on the version).
/// </summary>
public sealed unsafe partial class EmbeddingTable : IDisposable
{
    private readonly SharedTableFiles _files;
    private readonly string _indexPath;
    private readonly string _rowsPath;
    private readonly FileStamp _indexStamp;
    private readonly FileStamp _rowsStamp;
    private readonly OpenAddressingIndex _index;
    private readonly DenseRangeIndex _range;
    private readonly byte* _rows;
    private readonly byte* _defaultEncoded;
    private readonly float[] _defaultRow;
    private int _disposed;

    private EmbeddingTable(string name, string folder, SharedTableFiles files, FileStamp indexStamp, FileStamp rowsStamp,
        TableResidency residency, float[]? defaultRow, bool sharesFiles)
    {
        SharesFiles = sharesFiles;
        var (indexFile, rowsFile, indexHeader, rowsHeader) = (files.IndexFile, files.RowsFile, files.IndexHeader, files.RowsHeader);
        Name = name;
        Dim = rowsHeader.Dim;
        DataType = rowsHeader.DataType;
        RowCount = (int)rowsHeader.RowCount;
        RowStride = rowsHeader.RowStride;
        BucketCount = indexHeader.BucketCount;
        IndexKind = indexHeader.IsDenseRange ? TableIndexKind.DenseRange : TableIndexKind.OpenAddressing;
        Residency = residency;
        _files = files;
        _indexPath = Path.Combine(folder, TableFormat.IndexFileName);
        _rowsPath = Path.Combine(folder, TableFormat.RowsFileName);
        _indexStamp = indexStamp;
        _rowsStamp = rowsStamp;
        if (indexHeader.IsDenseRange)
        {
            _range = new DenseRangeIndex(indexHeader.FirstId, RowCount);
        }
        else
        {
            var keys = (long*)(indexFile.Pointer + TableFormat.HeaderBytes);
            _index = new OpenAddressingIndex(keys, (int*)(keys + indexHeader.BucketCount), indexHeader.BucketCount, indexHeader.EmptyKeyRow);
        }
        _rows = rowsFile.Pointer + TableFormat.HeaderBytes;

        // Unknown ids are served from an encoded copy of the default row, so kernels treat hits and misses alike.
        _defaultEncoded = (byte*)NativeMemory.AlignedAlloc((nuint)RowStride, 64);
        var encoded = new Span<byte>(_defaultEncoded, RowStride);
        RowCodec.Encode(defaultRow ?? new float[Dim], DataType, encoded);
        _defaultRow = new float[Dim];
        RowCodec.Decode(encoded, DataType, _defaultRow);
    }

    /// <summary>The table's name from its metadata.</summary>
    public string Name { get; }

    /// <summary>Values per row.</summary>
    public int Dim { get; }

    /// <summary>How rows are stored: Float32, Float16 or Int8 (row-wise scale and bias).</summary>
    public TensorDataType DataType { get; }

    /// <summary>Number of rows (and of distinct ids).</summary>
    public int RowCount { get; }

    /// <summary>Bytes of one encoded row.</summary>
    public int RowStride { get; }

    /// <summary>Buckets of the hash index; 0 for a dense key-range table.</summary>
    public long BucketCount { get; }

    /// <summary>Whether ids are found through a stored hash index or are a dense range (row = id − <see cref="FirstId"/>).</summary>
    public TableIndexKind IndexKind { get; }

    /// <summary>The id of row 0 of a <see cref="TableIndexKind.DenseRange"/> table; 0 for a hash-indexed one.</summary>
    public long FirstId => _range.FirstId;

    /// <summary>Mapped or loaded into memory.</summary>
    public TableResidency Residency { get; }

    /// <summary>Bytes of both files: resident for <see cref="TableResidency.Memory"/>, an upper bound when mapped.</summary>
    public long ByteSize => _files.IndexFile.Length + _files.RowsFile.Length;

    /// <summary>
    /// Whether this table serves the same bytes as another open table (an earlier version's): opened with
    /// <see cref="TableOpenOptions.ShareOpenFiles"/> when a table with the same content was already open.
    /// </summary>
    public bool SharesFiles { get; }

    /// <summary>The row served for unknown ids, as decoded from its stored encoding.</summary>
    public ReadOnlySpan<float> DefaultRow => _defaultRow;

    /// <summary>Whether <see cref="Dispose"/> was called.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>The hash index; only meaningful when <see cref="IndexKind"/> is <see cref="TableIndexKind.OpenAddressing"/>.</summary>
    internal OpenAddressingIndex Index => _index;

    /// <summary>The key range; only meaningful when <see cref="IndexKind"/> is <see cref="TableIndexKind.DenseRange"/>.</summary>
    internal DenseRangeIndex Range => _range;

    internal byte* DefaultRowPointer => _defaultEncoded;

    /// <summary>Finds the base snapshot's row of <paramref name="id"/> (an attached overlay is not consulted).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGetRow(long id, out int rowIndex) =>
        IndexKind == TableIndexKind.DenseRange ? _range.TryFind(id, out rowIndex) : _index.TryFind(id, out rowIndex);

    /// <summary>The encoded bytes of row <paramref name="rowIndex"/> (see <see cref="RowCodec"/>).</summary>
    public ReadOnlySpan<byte> GetRowBytes(int rowIndex)
    {
        ThrowIfDisposed();
        if ((uint)rowIndex >= (uint)RowCount)
        {
            throw new ArgumentOutOfRangeException(nameof(rowIndex), rowIndex, $"the table has {RowCount} rows");
        }
        return new ReadOnlySpan<byte>(RowPointer(rowIndex), RowStride);
    }

    /// <summary>Decodes row <paramref name="rowIndex"/> into <paramref name="destination"/> (<see cref="Dim"/> values).</summary>
    public void ReadRow(int rowIndex, Span<float> destination)
    {
        CheckDestination(destination);
        RowCodec.Decode(GetRowBytes(rowIndex), DataType, destination[..Dim]);
    }

    /// <summary>
    /// Decodes the row of <paramref name="id"/> (the overlay's, if one is attached and has the id), or the default
    /// row; returns whether the id was found.
    /// </summary>
    public bool ReadRowOrDefault(long id, Span<float> destination)
    {
        CheckDestination(destination);
        if (TryReadOverlay(id, destination, out var inOverlay))
        {
            return inOverlay;
        }
        if (TryGetRow(id, out var row))
        {
            ReadRow(row, destination);
            return true;
        }
        _defaultRow.CopyTo(destination);
        return false;
    }

    /// <summary>
    /// Compares the table's files with what was opened (a few stat calls; for pollers, not for the request path).
    /// Returns the most serious change and the file it was found in, or <see cref="TableFileChange.None"/> and null.
    /// A table held in memory reports any change as <see cref="TableFileChange.Replaced"/>: its copy cannot tear.
    /// </summary>
    public (TableFileChange Change, string? Path) CheckFiles()
    {
        if (IsDisposed)
        {
            return (TableFileChange.None, null);
        }
        if (_files.RowsFile.ChangedInPlace())
        {
            return (TableFileChange.ChangedInPlace, _files.RowsFile.Path);
        }
        if (_files.IndexFile.ChangedInPlace())
        {
            return (TableFileChange.ChangedInPlace, _files.IndexFile.Path);
        }
        // This table's own paths, which differ from the files read when they are shared with an earlier version's.
        return FileStamp.TryOf(_rowsPath) != _rowsStamp ? (TableFileChange.Replaced, _rowsPath)
            : FileStamp.TryOf(_indexPath) != _indexStamp ? (TableFileChange.Replaced, _indexPath)
            : (TableFileChange.None, null);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal byte* RowPointer(int rowIndex) => _rows + (long)rowIndex * RowStride;

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(IsDisposed, this);

    private void CheckDestination(Span<float> destination)
    {
        if (destination.Length < Dim)
        {
            throw new ArgumentException($"destination holds {destination.Length} values, a row has {Dim}", nameof(destination));
        }
    }

    /// <summary>Unmaps or frees the table's memory. No lookup may run during or after this.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        TableFileRegistry.Release(_files);
        NativeMemory.AlignedFree(_defaultEncoded);
    }
}
