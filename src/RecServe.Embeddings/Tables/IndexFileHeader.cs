using System.Buffers.Binary;

namespace RecServe.Embeddings.Tables;

/// <summary>
/// Header of <see cref="TableFormat.IndexFileName"/>. Offset 44 holds the index kind. For the hash index (kind
/// <see cref="FibonacciLinearProbe"/>): bucket count (24), entry count (32), the row of the id equal to
/// <see cref="OpenAddressingIndex.EmptyKey"/> or -1 (40); the payload is <c>long keys[bucketCount]</c> followed by
/// <c>int rows[bucketCount]</c>. For the dense key-range index (kind <see cref="DenseRange"/>, format version 2):
/// first id (24), row count (32), -1 (40); the payload is the same two numbers again, so that the payload checksum
/// (which table sharing keys on) names the range.
/// </summary>
internal readonly record struct IndexFileHeader(int Kind, long BucketCount, long EntryCount, int EmptyKeyRow, long FirstId, ulong PayloadChecksum)
{
    /// <summary>Fibonacci multiplicative hash, top bits, linear probing.</summary>
    public const int FibonacciLinearProbe = 1;

    /// <summary>Ids first, first + 1, …, first + rows − 1 at rows 0, 1, …: no hash index is stored.</summary>
    public const int DenseRange = 2;

    /// <summary>Payload of a dense-range index: first id and row count, int64 each.</summary>
    public const int DenseRangePayloadBytes = 2 * sizeof(long);

    public bool IsDenseRange => Kind == DenseRange;

    public int Version => IsDenseRange ? TableFormat.DenseRangeVersion : TableFormat.HashIndexVersion;

    public long PayloadBytes => IsDenseRange ? DenseRangePayloadBytes : BucketCount * (sizeof(long) + sizeof(int));

    public static IndexFileHeader ForHash(long bucketCount, long entryCount, int emptyKeyRow, ulong payloadChecksum) =>
        new(FibonacciLinearProbe, bucketCount, entryCount, emptyKeyRow, 0, payloadChecksum);

    public static IndexFileHeader ForDenseRange(long firstId, long rowCount, ulong payloadChecksum) =>
        new(DenseRange, 0, rowCount, -1, firstId, payloadChecksum);

    /// <summary>The payload of a dense-range index of <paramref name="rowCount"/> ids from <paramref name="firstId"/>.</summary>
    public static void WriteDenseRangePayload(Span<byte> payload, long firstId, long rowCount)
    {
        BinaryPrimitives.WriteInt64LittleEndian(payload, firstId);
        BinaryPrimitives.WriteInt64LittleEndian(payload[sizeof(long)..], rowCount);
    }

    public void Write(Span<byte> header)
    {
        header[..TableFormat.HeaderBytes].Clear();
        HeaderCodec.WriteCommon(header, TableFormat.IndexMagic, Version, PayloadBytes, PayloadChecksum);
        BinaryPrimitives.WriteInt64LittleEndian(header[24..], IsDenseRange ? FirstId : BucketCount);
        BinaryPrimitives.WriteInt64LittleEndian(header[32..], EntryCount);
        BinaryPrimitives.WriteInt32LittleEndian(header[40..], EmptyKeyRow);
        BinaryPrimitives.WriteInt32LittleEndian(header[44..], Kind);
        HeaderCodec.Seal(header);
    }

    public static IndexFileHeader Read(ReadOnlySpan<byte> header, long fileLength, string path)
    {
        HeaderCodec.Validate(header, TableFormat.IndexMagic, fileLength, path);
        var kind = BinaryPrimitives.ReadInt32LittleEndian(header[44..]);
        var at24 = BinaryPrimitives.ReadInt64LittleEndian(header[24..]);
        var entryCount = BinaryPrimitives.ReadInt64LittleEndian(header[32..]);
        var emptyKeyRow = BinaryPrimitives.ReadInt32LittleEndian(header[40..]);
        var checksum = HeaderCodec.PayloadChecksum(header);
        var result = kind switch
        {
            FibonacciLinearProbe => ForHash(at24, entryCount, emptyKeyRow, checksum),
            DenseRange => ForDenseRange(at24, entryCount, checksum),
            _ => throw new TableFormatException(path, $"unknown index kind {kind}"),
        };
        if (HeaderCodec.Version(header) != result.Version)
        {
            throw new TableFormatException(path, $"format version {HeaderCodec.Version(header)} does not match index kind {kind} (version {result.Version})");
        }
        if (result.IsDenseRange)
        {
            CheckDenseRange(result, emptyKeyRow, path);
        }
        else
        {
            CheckHash(result, path);
        }
        if (result.PayloadBytes != HeaderCodec.PayloadBytes(header))
        {
            throw new TableFormatException(path, result.IsDenseRange ? "payload size is not that of a dense range" : "payload size does not match the bucket count");
        }
        return result;
    }

    private static void CheckHash(IndexFileHeader header, string path)
    {
        if (header.BucketCount < OpenAddressingIndex.MinBuckets || (header.BucketCount & (header.BucketCount - 1)) != 0
            || header.BucketCount > int.MaxValue + 1L)
        {
            throw new TableFormatException(path, $"bucket count {header.BucketCount} is not a power of two in range");
        }
        // At least one empty bucket must remain, or a probe for an absent id would never stop.
        if (header.EntryCount < 0 || header.EntryCount >= header.BucketCount)
        {
            throw new TableFormatException(path, $"entry count {header.EntryCount} does not fit {header.BucketCount} buckets");
        }
    }

    private static void CheckDenseRange(IndexFileHeader header, int emptyKeyRow, string path)
    {
        // The last id, first + rows - 1, must be a long: the lookup's unsigned compare relies on it.
        if (header.EntryCount is < 1 or > int.MaxValue || header.FirstId > long.MaxValue - (header.EntryCount - 1) || emptyKeyRow != -1)
        {
            throw new TableFormatException(path, $"dense range of {header.EntryCount} ids from {header.FirstId} is out of range");
        }
    }
}
