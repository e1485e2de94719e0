using System.Buffers.Binary;
using System.Text;

namespace RecServe.Embeddings.Overlay;

/// <summary>
/// Key layout of the overlay's RocksDB store. Each applied delta is logged as its record section, split at record
/// boundaries into chunks of about 1 MiB under <c>'l' seq chunk</c> (big-endian, so keys sort in apply order), with
/// the names its table indices refer to under <c>'h' seq</c>. Dense weights: <c>'d' name</c> (the latest wins).
/// Metadata under <c>'m'</c>: the last applied seq, the delta stream position and each table's dim and dtype.
/// </summary>
internal static class OverlayKeys
{
    public const byte LogPrefix = (byte)'l';
    public const byte LogHeaderPrefix = (byte)'h';

    public static readonly byte[] LastAppliedSeq = "m/last_seq"u8.ToArray();

    /// <summary>Where the version's delta stream consumer stopped (UTF-8, opaque to the overlay).</summary>
    public static readonly byte[] StreamPosition = "m/stream_position"u8.ToArray();

    public static readonly byte[] DensePrefix = "d"u8.ToArray();

    public static byte[] LogChunk(long seq, int chunk)
    {
        var key = new byte[13];
        key[0] = LogPrefix;
        BinaryPrimitives.WriteInt64BigEndian(key.AsSpan(1), seq);
        BinaryPrimitives.WriteInt32BigEndian(key.AsSpan(9), chunk);
        return key;
    }

    public static byte[] LogChunks(long seq) => LogChunk(seq, 0)[..9];

    public static byte[] LogHeader(long seq)
    {
        var key = new byte[9];
        key[0] = LogHeaderPrefix;
        BinaryPrimitives.WriteInt64BigEndian(key.AsSpan(1), seq);
        return key;
    }

    public static long LogHeaderSeq(ReadOnlySpan<byte> key) => BinaryPrimitives.ReadInt64BigEndian(key[1..]);

    public static byte[] TableMeta(string table) => Encoding.UTF8.GetBytes("m/table/" + table);

    public static byte[] Dense(string name) => Encoding.UTF8.GetBytes("d" + name);

    /// <summary>The value under <see cref="LogHeader"/>: the delta's table names in index order.</summary>
    public static byte[] EncodeNames(IReadOnlyList<string> names)
    {
        var stream = new MemoryStream();
        Span<byte> count = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(count, names.Count);
        stream.Write(count);
        Span<byte> length = stackalloc byte[2];
        foreach (var name in names)
        {
            var bytes = Encoding.UTF8.GetBytes(name);
            BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)bytes.Length);
            stream.Write(length);
            stream.Write(bytes);
        }
        return stream.ToArray();
    }

    public static string[] DecodeNames(ReadOnlySpan<byte> value)
    {
        var names = new string[BinaryPrimitives.ReadInt32LittleEndian(value)];
        var offset = 4;
        for (var i = 0; i < names.Length; i++)
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(value[offset..]);
            names[i] = Encoding.UTF8.GetString(value.Slice(offset + 2, length));
            offset += 2 + length;
        }
        return names;
    }
}
