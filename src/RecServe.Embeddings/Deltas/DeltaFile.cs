using System.Buffers.Binary;
using System.IO.Hashing;
using RecServe.Embeddings.Tables;

namespace RecServe.Embeddings.Deltas;

/// <summary>
/// A delta file read whole into memory and validated: frame, checksum, schema, every record, and (when targets are
/// given) its tables against the tables it will be applied to. Nothing here changes any state, so a delta that fails
/// to open is refused whole before anything of it is applied.
/// </summary>
public sealed partial class DeltaFile
{
    private readonly byte[] _bytes;
    private readonly int _recordsOffset;
    private readonly int _recordsLength;
    private readonly int[] _strides;

    private DeltaFile(string path, byte[] bytes, DeltaHeader header, DeltaTable[] tables, DenseWeightUpdate[] dense, ulong checksum)
    {
        Path = path;
        _bytes = bytes;
        Header = header;
        Tables = tables;
        DenseUpdates = dense;
        Checksum = checksum;
        _recordsOffset = checked((int)(DeltaFormat.HeaderBytes + header.SchemaBytes));
        _recordsLength = bytes.Length - DeltaFormat.TrailerBytes - _recordsOffset;
        _strides = new int[tables.Length];
        for (var t = 0; t < tables.Length; t++)
        {
            _strides[t] = tables[t].Schema.RowStride;
        }
    }

    /// <summary>Where the delta was read from.</summary>
    public string Path { get; }

    /// <summary>The fixed header.</summary>
    public DeltaHeader Header { get; }

    /// <summary>The delta's sequence number.</summary>
    public long Seq => Header.Seq;

    /// <summary>Upserts and deletes in the file.</summary>
    public long RecordCount => Header.RecordCount;

    /// <summary>The tables the records touch; a record's <see cref="DeltaRecord.TableIndex"/> indexes this list.</summary>
    public IReadOnlyList<DeltaTable> Tables { get; }

    /// <summary>Dense weight replacements carried by the delta (validated for size; applied by the runtime).</summary>
    public IReadOnlyList<DenseWeightUpdate> DenseUpdates { get; }

    /// <summary>The XXH3-64 of the file, as stored in its trailer and verified.</summary>
    public ulong Checksum { get; }

    /// <summary>The records, in application order.</summary>
    public DeltaRecordEnumerator Records => new(RecordBytes, _strides);

    /// <summary>The record section as stored: what the overlay logs.</summary>
    internal ReadOnlySpan<byte> RecordBytes => _bytes.AsSpan(_recordsOffset, _recordsLength);

    /// <summary>Encoded row bytes of each table's upserts, by table index.</summary>
    internal int[] Strides => _strides;

    /// <summary>
    /// Reads and validates the delta at <paramref name="path"/>. With <paramref name="targets"/>, every table the
    /// delta declares must be one of them with the same dim and dtype.
    /// </summary>
    /// <exception cref="DeltaFormatException">The file is missing, truncated, corrupt, inconsistent or does not fit the targets.</exception>
    public static DeltaFile Open(string path, IEnumerable<DeltaTableSchema>? targets = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        try
        {
            var length = new FileInfo(path).Length;
            if (length > DeltaFormat.MaxFileBytes)
            {
                throw new DeltaFormatException(path, $"file is {length} bytes; a delta holds at most {DeltaFormat.MaxFileBytes} (split it)");
            }
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new DeltaFormatException(path, "file is missing", e);
        }
        return Parse(bytes, path, targets);
    }

    /// <summary>Validates a delta already in memory (<paramref name="path"/> only names it in errors).</summary>
    /// <exception cref="DeltaFormatException">The bytes are truncated, corrupt, inconsistent or do not fit the targets.</exception>
    public static DeltaFile Parse(byte[] bytes, string path, IEnumerable<DeltaTableSchema>? targets = null)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var header = CheckFrame(bytes, path, out var checksum);
        var schemaEnd = DeltaFormat.HeaderBytes + header.SchemaBytes;
        var (tables, dense) = DeltaSchemaCodec.Read(bytes.AsSpan(DeltaFormat.HeaderBytes, (int)header.SchemaBytes), header, path);
        var delta = new DeltaFile(path, bytes, header, tables, dense, checksum);
        CheckRecords(bytes.AsSpan((int)schemaEnd, bytes.Length - DeltaFormat.TrailerBytes - (int)schemaEnd), header, tables, delta._strides, path);
        if (targets is not null)
        {
            delta.CheckTargets(targets);
        }
        return delta;
    }

    /// <summary>Checks that every table of the delta is one of <paramref name="targets"/>, with the same dim and dtype.</summary>
    /// <exception cref="DeltaFormatException">A table is unknown or differs.</exception>
    public void CheckTargets(IEnumerable<DeltaTableSchema> targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        var byName = new Dictionary<string, DeltaTableSchema>(StringComparer.Ordinal);
        foreach (var target in targets)
        {
            byName[target.Name] = target;
        }
        foreach (var table in Tables)
        {
            if (!byName.TryGetValue(table.Name, out var target))
            {
                throw new DeltaFormatException(Path, $"table '{table.Name}' is not a table of this model (it has {string.Join(", ", byName.Keys)})");
            }
            if (target.Dim != table.Dim || target.DataType != table.DataType)
            {
                throw new DeltaFormatException(Path,
                    $"table '{table.Name}' is dim {table.Dim} {DataTypeNames.ToName(table.DataType)} in the delta, dim {target.Dim} {DataTypeNames.ToName(target.DataType)} in the model");
            }
        }
    }

    /// <summary>Reads the checksum stored in the last 8 bytes.</summary>
    internal static ulong StoredChecksum(ReadOnlySpan<byte> bytes) =>
        BinaryPrimitives.ReadUInt64LittleEndian(bytes[^DeltaFormat.TrailerBytes..]);

    /// <summary>The checksum the trailer must hold: XXH3-64 (seed 0) of every byte before it.</summary>
    internal static ulong ComputeChecksum(ReadOnlySpan<byte> bytes) =>
        XxHash3.HashToUInt64(bytes[..^DeltaFormat.TrailerBytes]);
}
