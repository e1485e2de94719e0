namespace RecServe.Embeddings.Deltas;

/// <summary>
/// Constants of the delta file format, version 1 (docs/DELTA.md is the full contract): a 64-byte header, the
/// schema (tables touched, dense weight replacements), the records, and an 8-byte XXH3-64 of everything before it.
/// </summary>
public static class DeltaFormat
{
    /// <summary>The format version this code writes and the only one it reads.</summary>
    public const int Version = 1;

    /// <summary>Bytes of the fixed header.</summary>
    public const int HeaderBytes = 64;

    /// <summary>Bytes of the trailing checksum.</summary>
    public const int TrailerBytes = 8;

    /// <summary>Bytes of a record before its row: kind (1), table index (2), id (8).</summary>
    public const int RecordHeaderBytes = 11;

    /// <summary>Longest table or initializer name, in UTF-8 bytes.</summary>
    public const int MaxNameBytes = 1024;

    /// <summary>Most dimensions of a dense weight.</summary>
    public const int MaxRank = 16;

    /// <summary>Deltas are read whole into memory, so one file holds at most this many bytes (about 27 M dim-16 fp32 rows).</summary>
    public const long MaxFileBytes = int.MaxValue;

    /// <summary>File name extension of a delta (<c>&lt;seq&gt;.delta</c>).</summary>
    public const string FileExtension = ".delta";

    /// <summary>Folder of a version that holds its deltas.</summary>
    public const string FolderName = "deltas";

    /// <summary>"RSEMBDLT" read as a little-endian integer.</summary>
    public const ulong Magic = 0x544C44424D455352;

    /// <summary>The file name of the delta with sequence number <paramref name="seq"/>.</summary>
    public static string FileName(long seq) => seq.ToString(System.Globalization.CultureInfo.InvariantCulture) + FileExtension;
}
