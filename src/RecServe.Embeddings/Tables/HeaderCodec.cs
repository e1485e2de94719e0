using System.Buffers.Binary;
using System.IO.Hashing;

namespace RecServe.Embeddings.Tables;

/// <summary>
/// The fields every binary table file shares: magic (0), format version (8), header size (12), payload bytes
/// (16), payload checksum (48) and a checksum of the header itself (56). Bytes 24..48 belong to the file kind.
/// </summary>
internal static class HeaderCodec
{
    private const int PayloadChecksumOffset = 48;
    private const int HeaderChecksumOffset = 56;

    public static void WriteCommon(Span<byte> header, ulong magic, int version, long payloadBytes, ulong payloadChecksum)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(header, magic);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], version);
        BinaryPrimitives.WriteInt32LittleEndian(header[12..], TableFormat.HeaderBytes);
        BinaryPrimitives.WriteInt64LittleEndian(header[16..], payloadBytes);
        BinaryPrimitives.WriteUInt64LittleEndian(header[PayloadChecksumOffset..], payloadChecksum);
    }

    /// <summary>Seals a header whose other fields are written: the last 8 bytes checksum the first 56.</summary>
    public static void Seal(Span<byte> header)
    {
        var checksum = XxHash64.HashToUInt64(header[..HeaderChecksumOffset]);
        BinaryPrimitives.WriteUInt64LittleEndian(header[HeaderChecksumOffset..], checksum);
    }

    /// <summary>Checks magic, version, header size, header checksum and that the file holds the whole payload.</summary>
    public static void Validate(ReadOnlySpan<byte> header, ulong magic, long fileLength, string path)
    {
        if (fileLength < TableFormat.HeaderBytes)
        {
            throw new TableFormatException(path, $"file is {fileLength} bytes, shorter than its {TableFormat.HeaderBytes}-byte header (truncated)");
        }
        var actualMagic = BinaryPrimitives.ReadUInt64LittleEndian(header);
        if (actualMagic != magic)
        {
            throw new TableFormatException(path, $"wrong magic 0x{actualMagic:X16}, expected 0x{magic:X16}: not a RecServe table file of this kind");
        }
        var storedHeaderChecksum = BinaryPrimitives.ReadUInt64LittleEndian(header[HeaderChecksumOffset..]);
        if (XxHash64.HashToUInt64(header[..HeaderChecksumOffset]) != storedHeaderChecksum)
        {
            throw new TableFormatException(path, "header checksum mismatch: the header is corrupt");
        }
        var version = Version(header);
        if (version is < TableFormat.HashIndexVersion or > TableFormat.Version)
        {
            throw new TableFormatException(path, $"format version {version} is not supported (this build reads versions {TableFormat.HashIndexVersion} to {TableFormat.Version})");
        }
        var headerBytes = BinaryPrimitives.ReadInt32LittleEndian(header[12..]);
        if (headerBytes != TableFormat.HeaderBytes)
        {
            throw new TableFormatException(path, $"header size {headerBytes} is not {TableFormat.HeaderBytes}");
        }
        var expected = TableFormat.HeaderBytes + PayloadBytes(header);
        if (fileLength != expected)
        {
            throw new TableFormatException(path, $"file is {fileLength} bytes but its header says {expected}{(fileLength < expected ? " (truncated)" : "")}");
        }
    }

    public static int Version(ReadOnlySpan<byte> header) => BinaryPrimitives.ReadInt32LittleEndian(header[8..]);

    public static long PayloadBytes(ReadOnlySpan<byte> header) => BinaryPrimitives.ReadInt64LittleEndian(header[16..]);

    public static ulong PayloadChecksum(ReadOnlySpan<byte> header) =>
        BinaryPrimitives.ReadUInt64LittleEndian(header[PayloadChecksumOffset..]);
}
