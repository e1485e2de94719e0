using System.Buffers.Binary;
using System.Text;

namespace RecServe.Embeddings.Overlay;

/// <summary>
/// Key layout of the overlay's RocksDB store. Rows: <c>'r' name 0x00 id</c> (id big-endian, 8 bytes), value
/// <c>kind</c> then the encoded row for an upsert. Dense weights: <c>'d' name</c>. Metadata under <c>'m'</c>: the last
/// applied seq and each table's dim and dtype.
/// </summary>
internal static class OverlayKeys
{
    public const byte RowValue = 1;
    public const byte TombstoneValue = 2;

    public static readonly byte[] LastAppliedSeq = "m/last_seq"u8.ToArray();

    /// <summary>The prefix every row key of <paramref name="table"/> starts with.</summary>
    public static byte[] RowPrefix(string table)
    {
        var name = Encoding.UTF8.GetBytes(table);
        var prefix = new byte[name.Length + 2];
        prefix[0] = (byte)'r';
        name.CopyTo(prefix, 1);
        return prefix;
    }

    /// <summary>The key of <paramref name="id"/> under <paramref name="prefix"/>, written into <paramref name="key"/>.</summary>
    public static void WriteRowKey(byte[] prefix, long id, Span<byte> key)
    {
        prefix.CopyTo(key);
        BinaryPrimitives.WriteInt64BigEndian(key[prefix.Length..], id);
    }

    public static long ReadId(ReadOnlySpan<byte> key) => BinaryPrimitives.ReadInt64BigEndian(key[^8..]);

    public static byte[] TableMeta(string table) => Encoding.UTF8.GetBytes("m/table/" + table);

    public static byte[] Dense(string name) => Encoding.UTF8.GetBytes("d" + name);

    public static readonly byte[] DensePrefix = "d"u8.ToArray();
}
