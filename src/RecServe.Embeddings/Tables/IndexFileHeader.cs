using System.Buffers.Binary;

namespace RecServe.Embeddings.Tables;

/// <summary>
/// Header of <see cref="TableFormat.IndexFileName"/>: bucket count (24), entry count (32), the row of the id equal
/// to <see cref="OpenAddressingIndex.EmptyKey"/> or -1 (40), hash kind (44). The payload is
/// <c>long keys[bucketCount]</c> followed by <c>int rows[bucketCount]</c>.
/// </summary>
internal readonly record struct IndexFileHeader(long BucketCount, long EntryCount, int EmptyKeyRow, int HashKind, ulong PayloadChecksum)
{
    /// <summary>Fibonacci multiplicative hash, top bits, linear probing.</summary>
    public const int FibonacciLinearProbe = 1;

    public long PayloadBytes => BucketCount * (sizeof(long) + sizeof(int));

    public void Write(Span<byte> header)
    {
        header[..TableFormat.HeaderBytes].Clear();
        HeaderCodec.WriteCommon(header, TableFormat.IndexMagic, PayloadBytes, PayloadChecksum);
        BinaryPrimitives.WriteInt64LittleEndian(header[24..], BucketCount);
        BinaryPrimitives.WriteInt64LittleEndian(header[32..], EntryCount);
        BinaryPrimitives.WriteInt32LittleEndian(header[40..], EmptyKeyRow);
        BinaryPrimitives.WriteInt32LittleEndian(header[44..], HashKind);
        HeaderCodec.Seal(header);
    }

    public static IndexFileHeader Read(ReadOnlySpan<byte> header, long fileLength, string path)
    {
        HeaderCodec.Validate(header, TableFormat.IndexMagic, fileLength, path);
        var result = new IndexFileHeader(
            BinaryPrimitives.ReadInt64LittleEndian(header[24..]),
            BinaryPrimitives.ReadInt64LittleEndian(header[32..]),
            BinaryPrimitives.ReadInt32LittleEndian(header[40..]),
            BinaryPrimitives.ReadInt32LittleEndian(header[44..]),
            HeaderCodec.PayloadChecksum(header));
        if (result.HashKind != FibonacciLinearProbe)
        {
            throw new TableFormatException(path, $"unknown hash kind {result.HashKind}");
        }
        if (result.BucketCount < OpenAddressingIndex.MinBuckets || (result.BucketCount & (result.BucketCount - 1)) != 0
            || result.BucketCount > int.MaxValue + 1L)
        {
            throw new TableFormatException(path, $"bucket count {result.BucketCount} is not a power of two in range");
        }
        // At least one empty bucket must remain, or a probe for an absent id would never stop.
        if (result.EntryCount < 0 || result.EntryCount >= result.BucketCount)
        {
            throw new TableFormatException(path, $"entry count {result.EntryCount} does not fit {result.BucketCount} buckets");
        }
        if (result.PayloadBytes != HeaderCodec.PayloadBytes(header))
        {
            throw new TableFormatException(path, "payload size does not match the bucket count");
        }
        return result;
    }
}
