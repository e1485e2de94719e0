using System.Globalization;
using System.Text.Json;
using RecServe.Core.Tensors;

namespace RecServe.Embeddings.Tables;

// Opening: every check that stands between a file on disk and a served row.
public sealed unsafe partial class EmbeddingTable
{
    /// <summary>
    /// Opens the table in <paramref name="folder"/>. Headers, metadata and the index are always verified; row data
    /// too unless <see cref="TableOpenOptions.VerifyRows"/> is off.
    /// </summary>
    /// <exception cref="TableFormatException">A file is missing, truncated, corrupt or inconsistent.</exception>
    public static EmbeddingTable Open(string folder, TableOpenOptions? options = null)
    {
        options ??= new TableOpenOptions();
        var meta = ReadMeta(folder, out var dataType);
        if (options.ShareOpenFiles && TryShare(folder, meta, options) is { } shared)
        {
            return shared;
        }
        var files = OpenFiles(folder, meta, dataType, options);
        var sharing = files.Key is not null ? TableFileRegistry.Add(files) : files;
        if (!ReferenceEquals(sharing, files))
        {
            files.Release(); // the same content was opened meanwhile by another thread
        }
        return new EmbeddingTable(meta.Name, folder, sharing, files.IndexFile.Stamp, files.RowsFile.Stamp, options.Residency, meta.DefaultRow,
            sharesFiles: !ReferenceEquals(sharing, files));
    }

    private static SharedTableFiles OpenFiles(string folder, TableMeta meta, TensorDataType dataType, TableOpenOptions options)
    {
        var indexFile = TableFileView.Open(Path.Combine(folder, TableFormat.IndexFileName), options.Residency);
        TableFileView? rowsFile = null;
        try
        {
            var indexHeader = OpenIndex(indexFile, meta, options.ParallelVerify);
            rowsFile = TableFileView.Open(Path.Combine(folder, TableFormat.RowsFileName), options.Residency);
            var rowsHeader = OpenRows(rowsFile, meta, dataType, options);
            CheckIndexRows(indexFile, indexHeader, rowsHeader.RowCount);
            var key = options.ShareOpenFiles
                ? new TableContentKey(indexFile.Length, indexHeader.PayloadChecksum, rowsFile.Length, rowsHeader.PayloadChecksum, options.Residency, options.VerifyRows)
                : (TableContentKey?)null;
            return new SharedTableFiles(indexFile, rowsFile, indexHeader, rowsHeader, key);
        }
        catch
        {
            rowsFile?.Dispose();
            indexFile.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The table over files already open with the content <paramref name="meta"/> lists, when the folder's own files
    /// agree with them in size and header (so a truncated or foreign copy is still refused); else null.
    /// </summary>
    private static EmbeddingTable? TryShare(string folder, TableMeta meta, TableOpenOptions options)
    {
        if (!ulong.TryParse(meta.IndexFile.Checksum, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var indexChecksum)
            || !ulong.TryParse(meta.RowsFile.Checksum, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var rowsChecksum))
        {
            return null;
        }
        var key = new TableContentKey(meta.IndexFile.Bytes, indexChecksum, meta.RowsFile.Bytes, rowsChecksum, options.Residency, options.VerifyRows);
        if (TableFileRegistry.TryShare(key) is not { } files)
        {
            return null;
        }
        try
        {
            // Headers and sizes first, then every byte of this folder's own files, read and checksummed but not mapped:
            // a corrupt copy is refused here, not on the day the version it shares with unloads.
            var indexStamp = SameFile(Path.Combine(folder, TableFormat.IndexFileName), files.IndexFile, files.IndexHeader.PayloadChecksum, verify: true);
            var rowsStamp = SameFile(Path.Combine(folder, TableFormat.RowsFileName), files.RowsFile, files.RowsHeader.PayloadChecksum, options.VerifyRows);
            if (indexStamp is null || rowsStamp is null)
            {
                TableFileRegistry.Release(files);
                return null;
            }
            return new EmbeddingTable(meta.Name, folder, files, indexStamp.Value, rowsStamp.Value, options.Residency, meta.DefaultRow, sharesFiles: true);
        }
        catch
        {
            TableFileRegistry.Release(files);
            throw;
        }
    }

    /// <summary>
    /// The stamp of the file at <paramref name="path"/> when its length and header equal the open file's (else null,
    /// and it is opened on its own), after checking its payload against <paramref name="checksum"/> when asked to.
    /// </summary>
    /// <exception cref="TableFormatException">The header matches but the payload does not: the copy is corrupt.</exception>
    private static FileStamp? SameFile(string path, TableFileView open, ulong checksum, bool verify)
    {
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var stamp = FileStamp.Of(handle);
            Span<byte> header = stackalloc byte[TableFormat.HeaderBytes];
            if (stamp.Length != open.Length || RandomAccess.Read(handle, header, 0) != header.Length || !header.SequenceEqual(open.Header))
            {
                return null;
            }
            if (verify)
            {
                var actual = ChunkedChecksum.ComputeByReading(handle, TableFormat.HeaderBytes, stamp.Length - TableFormat.HeaderBytes, path);
                if (actual != checksum)
                {
                    throw new TableFormatException(path, $"payload checksum mismatch (computed {actual:x16}, header says {checksum:x16}): the file is corrupt");
                }
            }
            return stamp;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static TableMeta ReadMeta(string folder, out TensorDataType dataType)
    {
        var path = Path.Combine(folder, TableFormat.MetaFileName);
        TableMeta? meta;
        try
        {
            using var stream = File.OpenRead(path);
            meta = JsonSerializer.Deserialize(stream, TableMetaJsonContext.Default.TableMeta);
        }
        catch (Exception e) when (e is JsonException or FileNotFoundException or DirectoryNotFoundException)
        {
            throw new TableFormatException(path, e is JsonException ? $"invalid metadata: {e.Message}" : "file is missing", e);
        }
        if (meta is null)
        {
            throw new TableFormatException(path, "metadata is empty");
        }
        if (meta.FormatVersion is < TableFormat.HashIndexVersion or > TableFormat.Version)
        {
            throw new TableFormatException(path, $"format version {meta.FormatVersion} is not supported (this build reads versions {TableFormat.HashIndexVersion} to {TableFormat.Version})");
        }
        if (!DataTypeNames.TryParse(meta.Dtype, out dataType))
        {
            throw new TableFormatException(path, $"unknown dtype '{meta.Dtype}' (expected fp32, fp16 or int8)");
        }
        CheckIndexMeta(path, meta);
        if (meta.ChecksumAlgorithm != TableFormat.ChecksumAlgorithm)
        {
            throw new TableFormatException(path, $"unsupported checksum algorithm '{meta.ChecksumAlgorithm}'");
        }
        if (meta.DefaultRow is not null && meta.DefaultRow.Length != meta.Dim)
        {
            throw new TableFormatException(path, $"default row has {meta.DefaultRow.Length} values, dim is {meta.Dim}");
        }
        return meta;
    }

    private static void CheckIndexMeta(string path, TableMeta meta)
    {
        var index = meta.Index;
        if (index.Kind == TableIndexMeta.DenseRangeKind)
        {
            // Version 1 readers refuse the table by its version before they misread its index.
            if (meta.FormatVersion != TableFormat.DenseRangeVersion || index.FirstId is null)
            {
                throw new TableFormatException(path, $"a '{index.Kind}' index needs format version {TableFormat.DenseRangeVersion} and a firstId");
            }
            return;
        }
        if (index.Kind != TableIndexMeta.OpenAddressingKind || index.Hash != TableIndexMeta.FibonacciLinearProbeHash
            || index.EmptyKey != OpenAddressingIndex.EmptyKey)
        {
            throw new TableFormatException(path, $"unsupported index '{index.Kind}' / '{index.Hash}' / empty key {index.EmptyKey}");
        }
    }

    private static IndexFileHeader OpenIndex(TableFileView file, TableMeta meta, bool parallel)
    {
        var header = IndexFileHeader.Read(file.Header, file.Length, file.Path);
        var metaIsDenseRange = meta.Index.Kind == TableIndexMeta.DenseRangeKind;
        if (header.IsDenseRange != metaIsDenseRange)
        {
            throw new TableFormatException(file.Path, $"holds a {(header.IsDenseRange ? "dense-range" : "hash")} index, metadata says '{meta.Index.Kind}'");
        }
        if (header.IsDenseRange && (header.FirstId != meta.Index.FirstId || header.EntryCount != meta.RowCount))
        {
            throw new TableFormatException(file.Path, $"holds {header.EntryCount} ids from {header.FirstId}, metadata says {meta.RowCount} from {meta.Index.FirstId}");
        }
        if (!header.IsDenseRange && header.BucketCount != meta.Index.BucketCount)
        {
            throw new TableFormatException(file.Path, $"has {header.BucketCount} buckets, metadata says {meta.Index.BucketCount}");
        }
        CheckAgainstMeta(file.Path, file.Length, header.PayloadChecksum, meta.IndexFile);
        VerifyPayload(file, header.PayloadChecksum, parallel);
        return header;
    }

    private static RowFileHeader OpenRows(TableFileView file, TableMeta meta, TensorDataType dataType, TableOpenOptions options)
    {
        var header = RowFileHeader.Read(file.Header, file.Length, file.Path);
        if (header.Version != meta.FormatVersion)
        {
            throw new TableFormatException(file.Path, $"format version {header.Version}, metadata says {meta.FormatVersion}");
        }
        if (header.Dim != meta.Dim || header.DataType != dataType || header.RowCount != meta.RowCount)
        {
            throw new TableFormatException(file.Path,
                $"holds {header.RowCount} rows of dim {header.Dim} {header.DataType.DisplayName()}, metadata says {meta.RowCount} of dim {meta.Dim} {meta.Dtype}");
        }
        CheckAgainstMeta(file.Path, file.Length, header.PayloadChecksum, meta.RowsFile);
        if (options.VerifyRows)
        {
            VerifyPayload(file, header.PayloadChecksum, options.ParallelVerify);
        }
        return header;
    }

    private static void CheckAgainstMeta(string path, long length, ulong checksum, TableFileMeta meta)
    {
        if (meta.Bytes != length || !ulong.TryParse(meta.Checksum, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var listed)
            || listed != checksum)
        {
            throw new TableFormatException(path, $"does not match the metadata ({length} bytes, checksum {checksum:x16}; metadata lists {meta.Bytes} bytes, checksum {meta.Checksum})");
        }
    }

    private static void VerifyPayload(TableFileView file, ulong expected, bool parallel)
    {
        // Every byte is read, so a mapped file not in the page cache is read whole from disk here, bounded by the disk's
        // read bandwidth (bench/table-load.sh): a corrupt row must never be served, so there is no lazy way round it.
        // The kernel's read-around on the mapping's faults keeps up with the disk; asking for chunks ahead
        // (MADV_WILLNEED) was slower (bench coldverify, BENCHMARKS.md).
        var actual = ChunkedChecksum.Compute(file.Pointer + TableFormat.HeaderBytes, file.Length - TableFormat.HeaderBytes, parallel);
        if (actual != expected)
        {
            throw new TableFormatException(file.Path, $"payload checksum mismatch (computed {actual:x16}, header says {expected:x16}): the file is corrupt");
        }
    }

    // Even a checksummed index is checked to point inside the rows file: a lookup must never read outside it.
    private static void CheckIndexRows(TableFileView file, IndexFileHeader header, long rowCount)
    {
        if (header.IsDenseRange)
        {
            CheckDenseRange(file, header, rowCount);
            return;
        }
        var keys = (long*)(file.Pointer + TableFormat.HeaderBytes);
        var rows = (int*)(keys + header.BucketCount);
        long entries = 0;
        for (long i = 0; i < header.BucketCount; i++)
        {
            if (keys[i] == OpenAddressingIndex.EmptyKey)
            {
                continue;
            }
            entries++;
            if ((ulong)rows[i] >= (ulong)rowCount)
            {
                throw new TableFormatException(file.Path, $"bucket {i} points at row {rows[i]} of {rowCount}");
            }
        }
        var expectedEntries = header.EmptyKeyRow >= 0 ? rowCount - 1 : rowCount;
        if (entries != header.EntryCount || entries != expectedEntries || header.EmptyKeyRow >= rowCount)
        {
            throw new TableFormatException(file.Path, $"holds {entries} ids, the rows file {rowCount} rows");
        }
    }

    // The range covers every row and nothing else, and the payload (checksummed) repeats what the header says.
    private static void CheckDenseRange(TableFileView file, IndexFileHeader header, long rowCount)
    {
        var payload = new ReadOnlySpan<byte>(file.Pointer + TableFormat.HeaderBytes, IndexFileHeader.DenseRangePayloadBytes);
        Span<byte> expected = stackalloc byte[IndexFileHeader.DenseRangePayloadBytes];
        IndexFileHeader.WriteDenseRangePayload(expected, header.FirstId, header.EntryCount);
        if (header.EntryCount != rowCount || !payload.SequenceEqual(expected))
        {
            throw new TableFormatException(file.Path, $"dense range of {header.EntryCount} ids from {header.FirstId} does not match its payload or the rows file's {rowCount} rows");
        }
    }
}
