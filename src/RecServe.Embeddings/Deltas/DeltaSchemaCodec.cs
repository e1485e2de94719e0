using System.Buffers.Binary;
using System.Text;
using RecServe.Core.Tensors;
using RecServe.Embeddings.Tables;

namespace RecServe.Embeddings.Deltas;

/// <summary>
/// The schema section between the header and the records. Each table: name (uint16 length + UTF-8), dim (int32),
/// dtype (int32: 1 fp32, 3 fp16, 4 int8), upserts (int64), deletes (int64). Then each dense weight: name, dtype
/// (int32, <see cref="TensorDataType"/> code), rank (int32), dims (int64 each), byte count (int64), raw bytes.
/// </summary>
internal static class DeltaSchemaCodec
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static int TableEntryBytes(string name) => 2 + StrictUtf8.GetByteCount(name) + 4 + 4 + 8 + 8;

    public static long DenseEntryBytes(DenseWeightUpdate dense) =>
        2 + StrictUtf8.GetByteCount(dense.Name) + 4 + 4 + 8L * dense.Shape.Length + 8 + dense.Data.Length;

    public static void Write(Stream stream, IReadOnlyList<DeltaTable> tables, IReadOnlyList<DenseWeightUpdate> dense)
    {
        Span<byte> scratch = stackalloc byte[8];
        foreach (var table in tables)
        {
            WriteName(stream, table.Name);
            WriteInt32(stream, table.Dim, scratch);
            WriteInt32(stream, (int)table.DataType, scratch);
            WriteInt64(stream, table.Upserts, scratch);
            WriteInt64(stream, table.Deletes, scratch);
        }
        foreach (var weight in dense)
        {
            WriteName(stream, weight.Name);
            WriteInt32(stream, (int)weight.DataType, scratch);
            WriteInt32(stream, weight.Shape.Length, scratch);
            foreach (var dimension in weight.Shape)
            {
                WriteInt64(stream, dimension, scratch);
            }
            WriteInt64(stream, weight.Data.Length, scratch);
            stream.Write(weight.Data);
        }
    }

    /// <summary>Parses and checks the schema; every count and size is bounded by the bytes actually present.</summary>
    public static (DeltaTable[] Tables, DenseWeightUpdate[] Dense) Read(ReadOnlySpan<byte> schema, DeltaHeader header, string path)
    {
        var reader = new SchemaReader(schema, path);
        var tables = new DeltaTable[header.TableCount];
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var t = 0; t < tables.Length; t++)
        {
            var name = reader.Name("table");
            var dim = reader.Int32();
            var code = reader.Int32();
            var upserts = reader.Int64();
            var deletes = reader.Int64();
            var dataType = (TensorDataType)code;
            if (!names.Add(name))
            {
                throw new DeltaFormatException(path, $"table '{name}' is declared twice");
            }
            if (dim <= 0 || !RowCodec.IsSupported(dataType) || upserts < 0 || deletes < 0)
            {
                throw new DeltaFormatException(path, $"table '{name}' declares dim {dim}, dtype code {code}, {upserts} upserts, {deletes} deletes");
            }
            tables[t] = new DeltaTable(new DeltaTableSchema(name, dim, dataType), upserts, deletes);
        }
        var dense = new DenseWeightUpdate[header.DenseCount];
        var denseNames = new HashSet<string>(StringComparer.Ordinal);
        for (var d = 0; d < dense.Length; d++)
        {
            dense[d] = ReadDense(ref reader, denseNames, path);
        }
        if (reader.Remaining != 0)
        {
            throw new DeltaFormatException(path, $"schema section has {reader.Remaining} bytes after its last entry");
        }
        return (tables, dense);
    }

    private static DenseWeightUpdate ReadDense(ref SchemaReader reader, HashSet<string> names, string path)
    {
        var name = reader.Name("dense weight");
        var dataType = (TensorDataType)reader.Int32();
        var rank = reader.Int32();
        if (!names.Add(name) || dataType.ElementSize() == 0 || rank < 0 || rank > DeltaFormat.MaxRank)
        {
            throw new DeltaFormatException(path, $"dense weight '{name}' is repeated or declares dtype {dataType.DisplayName()}, rank {rank}");
        }
        var shape = new long[rank];
        long elements = 1;
        for (var i = 0; i < rank; i++)
        {
            shape[i] = reader.Int64();
            if (shape[i] < 0 || (shape[i] > 0 && elements > int.MaxValue / shape[i]))
            {
                throw new DeltaFormatException(path, $"dense weight '{name}' has dimension {shape[i]}");
            }
            elements *= shape[i];
        }
        var bytes = reader.Int64();
        if (bytes != elements * dataType.ElementSize())
        {
            throw new DeltaFormatException(path, $"dense weight '{name}' holds {bytes} bytes, its shape [{string.Join(", ", shape)}] of {dataType.DisplayName()} needs {elements * dataType.ElementSize()}");
        }
        return new DenseWeightUpdate(name, dataType, shape, reader.Bytes(bytes, name).ToArray());
    }

    private static void WriteName(Stream stream, string name)
    {
        var bytes = StrictUtf8.GetBytes(name);
        Span<byte> length = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)bytes.Length);
        stream.Write(length);
        stream.Write(bytes);
    }

    private static void WriteInt32(Stream stream, int value, Span<byte> scratch)
    {
        BinaryPrimitives.WriteInt32LittleEndian(scratch, value);
        stream.Write(scratch[..4]);
    }

    private static void WriteInt64(Stream stream, long value, Span<byte> scratch)
    {
        BinaryPrimitives.WriteInt64LittleEndian(scratch, value);
        stream.Write(scratch);
    }

    /// <summary>Checks a name before it is written: non-empty, no NUL (overlay keys end names with one), bounded.</summary>
    public static void CheckName(string name, string what)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('\0', StringComparison.Ordinal) || StrictUtf8.GetByteCount(name) > DeltaFormat.MaxNameBytes)
        {
            throw new ArgumentException($"{what} name '{name}' must be 1 to {DeltaFormat.MaxNameBytes} UTF-8 bytes without NUL");
        }
    }

    private ref struct SchemaReader(ReadOnlySpan<byte> bytes, string path)
    {
        private ReadOnlySpan<byte> _rest = bytes;

        public readonly int Remaining => _rest.Length;

        public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4, "a count"));

        public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8, "a count"));

        public ReadOnlySpan<byte> Bytes(long count, string what) => Take(count, $"the values of '{what}'");

        public string Name(string what)
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(Take(2, $"a {what} name"));
            var bytes = Take(length, $"a {what} name");
            string name;
            try
            {
                name = StrictUtf8.GetString(bytes);
            }
            catch (DecoderFallbackException e)
            {
                throw new DeltaFormatException(path, $"a {what} name is not valid UTF-8", e);
            }
            if (length == 0 || length > DeltaFormat.MaxNameBytes || name.Contains('\0', StringComparison.Ordinal))
            {
                throw new DeltaFormatException(path, $"{what} name '{name}' is empty, too long or holds NUL");
            }
            return name;
        }

        private ReadOnlySpan<byte> Take(long count, string what)
        {
            if (count > _rest.Length)
            {
                throw new DeltaFormatException(path, $"schema section ends inside {what} (declared counts do not fit the file)");
            }
            var taken = _rest[..(int)count];
            _rest = _rest[(int)count..];
            return taken;
        }
    }
}
