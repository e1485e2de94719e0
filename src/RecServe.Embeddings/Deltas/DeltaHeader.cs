using System.Buffers.Binary;

namespace RecServe.Embeddings.Deltas;

/// <summary>
/// The fixed 64-byte header of a delta file. Offsets: 0 magic, 8 format version, 12 header bytes, 16 seq,
/// 24 file bytes, 32 record count, 40 table count, 44 dense weight count, 48 schema bytes, 56 reserved (zero).
/// </summary>
/// <param name="Version">Format version.</param>
/// <param name="Seq">Sequence number, ≥ 1.</param>
/// <param name="FileBytes">Length of the whole file, trailer included.</param>
/// <param name="RecordCount">Records (upserts and deletes) after the schema.</param>
/// <param name="TableCount">Tables the schema declares.</param>
/// <param name="DenseCount">Dense weight replacements the schema carries.</param>
/// <param name="SchemaBytes">Bytes of the schema section, which follows the header.</param>
public readonly record struct DeltaHeader(int Version, long Seq, long FileBytes, long RecordCount, int TableCount, int DenseCount, long SchemaBytes)
{
    /// <summary>Reads the header fields; checks only the magic and the header size, so that inspection can show the rest.</summary>
    /// <exception cref="DeltaFormatException">The bytes are too short or do not start a delta file.</exception>
    public static DeltaHeader Read(ReadOnlySpan<byte> bytes, string path)
    {
        if (bytes.Length < DeltaFormat.HeaderBytes)
        {
            throw new DeltaFormatException(path, $"file is {bytes.Length} bytes, shorter than its {DeltaFormat.HeaderBytes}-byte header (truncated)");
        }
        var magic = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (magic != DeltaFormat.Magic)
        {
            throw new DeltaFormatException(path, $"not a delta file (magic {magic:x16}, expected {DeltaFormat.Magic:x16} \"RSEMBDLT\")");
        }
        var headerBytes = BinaryPrimitives.ReadInt32LittleEndian(bytes[12..]);
        if (headerBytes != DeltaFormat.HeaderBytes)
        {
            throw new DeltaFormatException(path, $"header size {headerBytes}, expected {DeltaFormat.HeaderBytes}");
        }
        return new DeltaHeader(
            BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]),
            BinaryPrimitives.ReadInt64LittleEndian(bytes[16..]),
            BinaryPrimitives.ReadInt64LittleEndian(bytes[24..]),
            BinaryPrimitives.ReadInt64LittleEndian(bytes[32..]),
            BinaryPrimitives.ReadInt32LittleEndian(bytes[40..]),
            BinaryPrimitives.ReadInt32LittleEndian(bytes[44..]),
            BinaryPrimitives.ReadInt64LittleEndian(bytes[48..]));
    }

    /// <summary>Writes the header into <paramref name="destination"/> (64 bytes).</summary>
    public void Write(Span<byte> destination)
    {
        destination[..DeltaFormat.HeaderBytes].Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(destination, DeltaFormat.Magic);
        BinaryPrimitives.WriteInt32LittleEndian(destination[8..], Version);
        BinaryPrimitives.WriteInt32LittleEndian(destination[12..], DeltaFormat.HeaderBytes);
        BinaryPrimitives.WriteInt64LittleEndian(destination[16..], Seq);
        BinaryPrimitives.WriteInt64LittleEndian(destination[24..], FileBytes);
        BinaryPrimitives.WriteInt64LittleEndian(destination[32..], RecordCount);
        BinaryPrimitives.WriteInt32LittleEndian(destination[40..], TableCount);
        BinaryPrimitives.WriteInt32LittleEndian(destination[44..], DenseCount);
        BinaryPrimitives.WriteInt64LittleEndian(destination[48..], SchemaBytes);
    }
}
