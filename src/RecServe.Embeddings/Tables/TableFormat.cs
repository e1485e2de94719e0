namespace RecServe.Embeddings.Tables;

/// <summary>
/// Constants of the on-disk table format, version 1. A table is a folder holding <see cref="MetaFileName"/>
/// and two binary files, each a 64-byte header followed by a payload that is used in place once mapped.
/// </summary>
public static class TableFormat
{
    /// <summary>The format version this code writes and the only one it reads.</summary>
    public const int Version = 1;

    /// <summary>Name of the JSON description of the table.</summary>
    public const string MetaFileName = "table.meta.json";

    /// <summary>Name of the file holding the open-addressing hash index (keys, then row indices).</summary>
    public const string IndexFileName = "index.bin";

    /// <summary>Name of the file holding the encoded rows.</summary>
    public const string RowsFileName = "rows.bin";

    /// <summary>Bytes of every binary file's header; payloads start here, so they stay 64-byte aligned.</summary>
    public const int HeaderBytes = 64;

    /// <summary>Payload checksums hash chunks of this size independently so that they can be verified in parallel.</summary>
    public const int ChecksumChunkBytes = 8 << 20;

    /// <summary>Name of the payload checksum algorithm, as written to the meta file.</summary>
    public const string ChecksumAlgorithm = "xxh3-8MiB-chunks";

    /// <summary>"RSEMBIDX" read as a little-endian integer.</summary>
    internal const ulong IndexMagic = 0x5844494245455352;

    /// <summary>"RSEMBROW" read as a little-endian integer.</summary>
    internal const ulong RowsMagic = 0x574F524245455352;
}
