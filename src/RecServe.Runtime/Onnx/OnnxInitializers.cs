using RecServe.Core.Tensors;

namespace RecServe.Runtime.Onnx;

/// <summary>
/// The initializers (named constant tensors: weights) of an ONNX model file, as name → element type and shape, read
/// straight from the protobuf wire format (ModelProto.graph = 7, GraphProto.initializer = 5, TensorProto.dims = 1,
/// data_type = 2, name = 8) without the values. ONNX Runtime's API lists only initializers that are also graph inputs,
/// so a delta replacing a weight is checked against this.
/// </summary>
public static class OnnxInitializers
{
    private const int WireVarint = 0;
    private const int WireFixed64 = 1;
    private const int WireLengthDelimited = 2;
    private const int WireFixed32 = 5;

    /// <summary>Reads the initializers of the model at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a well-formed ONNX model.</exception>
    public static IReadOnlyDictionary<string, (TensorDataType Type, long[] Shape)> Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var result = new Dictionary<string, (TensorDataType, long[])>(StringComparer.Ordinal);
        foreach (var (field, graph) in Fields(bytes))
        {
            if (field != 7 || graph.Length < 0)
            {
                continue;
            }
            foreach (var (graphField, initializer) in Fields(bytes.AsSpan(graph.Offset, graph.Length).ToArray()))
            {
                if (graphField == 5 && initializer.Length >= 0)
                {
                    var (name, type, shape) = ReadTensor(bytes.AsSpan(graph.Offset + initializer.Offset, initializer.Length));
                    result[name] = (type, shape);
                }
            }
        }
        return result;
    }

    private static (string Name, TensorDataType Type, long[] Shape) ReadTensor(ReadOnlySpan<byte> tensor)
    {
        var name = "";
        var type = TensorDataType.Invalid;
        var shape = new List<long>();
        var position = 0;
        while (position < tensor.Length)
        {
            var key = ReadVarint(tensor, ref position);
            var field = (int)(key >> 3);
            var wire = (int)(key & 7);
            if (wire == WireVarint)
            {
                var value = ReadVarint(tensor, ref position);
                if (field == 1)
                {
                    shape.Add((long)value);
                }
                else if (field == 2)
                {
                    type = FromOnnx((int)value);
                }
                continue;
            }
            if (wire == WireLengthDelimited)
            {
                var length = checked((int)ReadVarint(tensor, ref position));
                Check(position + length <= tensor.Length);
                if (field == 1)
                {
                    // Packed dims (proto3 writers).
                    var end = position + length;
                    while (position < end)
                    {
                        shape.Add((long)ReadVarint(tensor, ref position));
                    }
                    continue;
                }
                if (field == 8)
                {
                    name = System.Text.Encoding.UTF8.GetString(tensor.Slice(position, length));
                }
                position += length;
                continue;
            }
            position += Skip(wire, tensor, position);
        }
        return (name, type, shape.ToArray());
    }

    /// <summary>Top-level fields of a message: (field number, (offset, length)) for length-delimited ones, length -1 otherwise.</summary>
    private static List<(int Field, (int Offset, int Length) Span)> Fields(byte[] message)
    {
        var fields = new List<(int, (int, int))>();
        var position = 0;
        while (position < message.Length)
        {
            var key = ReadVarint(message, ref position);
            var field = (int)(key >> 3);
            var wire = (int)(key & 7);
            if (wire == WireLengthDelimited)
            {
                var length = checked((int)ReadVarint(message, ref position));
                Check(length >= 0 && position + length <= message.Length);
                fields.Add((field, (position, length)));
                position += length;
            }
            else
            {
                position += Skip(wire, message, position);
                fields.Add((field, (position, -1)));
            }
        }
        return fields;
    }

    private static int Skip(int wire, ReadOnlySpan<byte> data, int position)
    {
        switch (wire)
        {
            case WireVarint:
                var start = position;
                ReadVarint(data, ref position);
                return position - start;
            case WireFixed64:
                Check(position + 8 <= data.Length);
                return 8;
            case WireFixed32:
                Check(position + 4 <= data.Length);
                return 4;
            default:
                throw new InvalidDataException($"unsupported protobuf wire type {wire}: not an ONNX model");
        }
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            Check(position < data.Length);
            var b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
        throw new InvalidDataException("malformed varint: not an ONNX model");
    }

    private static void Check(bool condition)
    {
        if (!condition)
        {
            throw new InvalidDataException("truncated protobuf: not a complete ONNX model");
        }
    }

    // TensorProto.DataType numbers.
    private static TensorDataType FromOnnx(int type) => type switch
    {
        1 => TensorDataType.Float32,
        2 => TensorDataType.UInt8,
        3 => TensorDataType.Int8,
        6 => TensorDataType.Int32,
        7 => TensorDataType.Int64,
        9 => TensorDataType.Bool,
        10 => TensorDataType.Float16,
        11 => TensorDataType.Float64,
        _ => TensorDataType.Invalid,
    };
}
