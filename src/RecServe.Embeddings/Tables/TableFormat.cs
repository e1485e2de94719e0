namespace RecServe.Embeddings.Tables;

/// <summary>
/// Constants of the on-disk table format, versions 1 and 2. A table is a folder holding <see cref="MetaFileName"/>
/// and two binary files, each a 64-byte header followed by a payload that is used in place once mapped.
/// </summary>
public static class TableFormat
{
    /// <summary>
    /// The newest format version this code reads and writes: version 1 plus the dense key-range index. Tables with a
    /// hash index are still written as <see cref="HashIndexVersion"/>, so builds that read only version 1 read them.
    /// </summary>
    public const int Version = 2;

    /// <summary>The version of a table with an open-addressing hash index (the oldest version read).</summary>
    public const int HashIndexVersion = 1;

    /// <summary>The version of a table with a dense key-range index (no hash index stored).</summary>
    public const int DenseRangeVersion = 2;

    /// <summary>Name of the JSON description of the table.</summary>
    public const string MetaFileName = "table.meta.json";

    /// <summary>
    /// Name of the file holding the id index: an open-addressing hash index (keys, then row indices), or for a dense
    /// key-range table only the range (first id, row count).
    /// </summary>
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
