using System.Globalization;
using System.IO.Hashing;
using System.Text;

namespace RecServe.Embeddings.Deltas.Streaming;

/// <summary>
/// One stream entry of a published delta: a slice of the delta file's bytes with everything needed to check it alone
/// (its own XXH3-64) and to put the file back together (seq, part k of n, offset, the file's size and checksum, and
/// the publication it belongs to). docs/DELTA.md, "Streaming", lists the fields.
/// </summary>
/// <param name="Publication">Random id of one publish run: parts with the same id make one delta.</param>
/// <param name="Seq">The delta's seq.</param>
/// <param name="Part">1-based part number.</param>
/// <param name="Parts">Parts in the publication.</param>
/// <param name="Offset">Where <paramref name="Data"/> starts in the file.</param>
/// <param name="FileBytes">Size of the whole delta file.</param>
/// <param name="FileChecksum">The delta file's XXH3-64 (its trailer).</param>
/// <param name="PublishedAt">When the publisher wrote the delta to the stream.</param>
/// <param name="Data">The slice of the file.</param>
public sealed record DeltaStreamPart(string Publication, long Seq, int Part, int Parts, long Offset, long FileBytes, ulong FileChecksum,
    DateTimeOffset PublishedAt, ReadOnlyMemory<byte> Data)
{
    /// <summary>Value of the <c>format</c> field this code writes and reads.</summary>
    public const string FormatName = "recserve-delta-part/1";

    /// <summary>Default size bound of one part's data: 1 MiB.</summary>
    public const int DefaultPartBytes = 1 << 20;

    /// <summary>Field names, in the order they are written.</summary>
    public static class Fields
    {
        /// <summary>Format of the entry (<see cref="FormatName"/>).</summary>
        public const string Format = "format";

        /// <summary>Publication id.</summary>
        public const string Publication = "publication";

        /// <summary>The delta's seq.</summary>
        public const string Seq = "seq";

        /// <summary>Part number, 1-based.</summary>
        public const string Part = "part";

        /// <summary>Parts in the publication.</summary>
        public const string Parts = "parts";

        /// <summary>Offset of the data in the file.</summary>
        public const string Offset = "offset";

        /// <summary>Size of the whole file.</summary>
        public const string FileBytes = "file_bytes";

        /// <summary>XXH3-64 of the file, 16 hex digits.</summary>
        public const string FileChecksum = "file_xxh3";

        /// <summary>XXH3-64 of this part's data, 16 hex digits.</summary>
        public const string PartChecksum = "part_xxh3";

        /// <summary>Publish time, Unix milliseconds.</summary>
        public const string PublishedAtMs = "published_at_ms";

        /// <summary>The slice of the file.</summary>
        public const string Data = "data";
    }

    /// <summary>XXH3-64 (seed 0) of <see cref="Data"/>.</summary>
    public ulong DataChecksum => XxHash3.HashToUInt64(Data.Span);

    /// <summary>
    /// Splits a delta file (already validated by the caller) into parts of at most <paramref name="partBytes"/> bytes of data.
    /// </summary>
    public static IReadOnlyList<DeltaStreamPart> Split(ReadOnlyMemory<byte> file, long seq, ulong fileChecksum, DateTimeOffset publishedAt,
        string publication, int partBytes = DefaultPartBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(partBytes);
        var parts = (int)Math.Max(1, (file.Length + (long)partBytes - 1) / partBytes);
        var result = new DeltaStreamPart[parts];
        for (var k = 0; k < parts; k++)
        {
            var offset = k * partBytes;
            var data = file.Slice(offset, Math.Min(partBytes, file.Length - offset));
            result[k] = new DeltaStreamPart(publication, seq, k + 1, parts, offset, file.Length, fileChecksum, publishedAt, data);
        }
        return result;
    }

    /// <summary>A new random publication id.</summary>
    public static string NewPublication() => Guid.NewGuid().ToString("N");

    /// <summary>The entry's fields as names and raw values, in the documented order.</summary>
    public IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>> Encode() =>
    [
        Text(Fields.Format, FormatName),
        Text(Fields.Publication, Publication),
        Text(Fields.Seq, Number(Seq)),
        Text(Fields.Part, Number(Part)),
        Text(Fields.Parts, Number(Parts)),
        Text(Fields.Offset, Number(Offset)),
        Text(Fields.FileBytes, Number(FileBytes)),
        Text(Fields.FileChecksum, FileChecksum.ToString("x16", CultureInfo.InvariantCulture)),
        Text(Fields.PartChecksum, DataChecksum.ToString("x16", CultureInfo.InvariantCulture)),
        Text(Fields.PublishedAtMs, Number(PublishedAt.ToUnixTimeMilliseconds())),
        new(Fields.Data, Data),
    ];

    /// <summary>
    /// Reads a part from an entry's fields. A part whose identity fields parse but whose data is damaged comes back
    /// with <paramref name="problem"/> set, so the whole publication it belongs to can be refused.
    /// </summary>
    /// <exception cref="DeltaStreamFormatException">The entry is not a delta part this code can identify.</exception>
    public static DeltaStreamPart Decode(IReadOnlyDictionary<string, ReadOnlyMemory<byte>> fields, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var format = ReadText(fields, Fields.Format);
        if (format != FormatName)
        {
            throw new DeltaStreamFormatException($"entry format is '{format}', expected '{FormatName}'");
        }
        var part = new DeltaStreamPart(
            ReadText(fields, Fields.Publication),
            ReadLong(fields, Fields.Seq, 1),
            (int)ReadLong(fields, Fields.Part, 1, int.MaxValue),
            (int)ReadLong(fields, Fields.Parts, 1, int.MaxValue),
            ReadLong(fields, Fields.Offset, 0),
            ReadLong(fields, Fields.FileBytes, DeltaFormat.HeaderBytes + DeltaFormat.TrailerBytes, DeltaFormat.MaxFileBytes),
            ReadHex(fields, Fields.FileChecksum),
            DateTimeOffset.FromUnixTimeMilliseconds(ReadLong(fields, Fields.PublishedAtMs, 0, 253402300799999)),
            fields.TryGetValue(Fields.Data, out var data) ? data : throw new DeltaStreamFormatException($"entry has no '{Fields.Data}' field"));
        if (part.Part > part.Parts)
        {
            throw new DeltaStreamFormatException($"entry says part {part.Part} of {part.Parts}");
        }
        problem = null;
        var stated = ReadHex(fields, Fields.PartChecksum);
        if (stated != part.DataChecksum)
        {
            problem = $"part {part.Part}/{part.Parts} of seq {part.Seq} is corrupt (its data hashes to {part.DataChecksum:x16}, the entry says {stated:x16})";
        }
        else if (part.Offset + part.Data.Length > part.FileBytes)
        {
            problem = $"part {part.Part}/{part.Parts} of seq {part.Seq} ends at byte {part.Offset + part.Data.Length}, past the file's {part.FileBytes}";
        }
        return part;
    }

    private static KeyValuePair<string, ReadOnlyMemory<byte>> Text(string name, string value) => new(name, Encoding.ASCII.GetBytes(value));

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string ReadText(IReadOnlyDictionary<string, ReadOnlyMemory<byte>> fields, string name)
    {
        if (!fields.TryGetValue(name, out var value) || value.Length is 0 or > 256)
        {
            throw new DeltaStreamFormatException($"entry has no usable '{name}' field");
        }
        return Encoding.ASCII.GetString(value.Span);
    }

    private static long ReadLong(IReadOnlyDictionary<string, ReadOnlyMemory<byte>> fields, string name, long min, long max = long.MaxValue)
    {
        var text = ReadText(fields, name);
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new DeltaStreamFormatException($"entry field '{name}' is '{text}', expected an integer from {min} to {max}");
        }
        return value;
    }

    private static ulong ReadHex(IReadOnlyDictionary<string, ReadOnlyMemory<byte>> fields, string name)
    {
        var text = ReadText(fields, name);
        return ulong.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new DeltaStreamFormatException($"entry field '{name}' is '{text}', expected 16 hex digits");
    }
}
