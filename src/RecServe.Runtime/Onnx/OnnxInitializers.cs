using Google.Protobuf;
using RecServe.Core.Tensors;
using static Google.Protobuf.WireFormat;

namespace RecServe.Runtime.Onnx;

/// <summary>
/// The initializers (named constant tensors: weights) of an ONNX model file, as name → element type and shape, read
/// with Google.Protobuf's <see cref="CodedInputStream"/> straight from the wire format (ModelProto.graph = 7,
/// GraphProto.initializer = 5, TensorProto.dims = 1, data_type = 2, name = 8), skipping the values. ONNX Runtime's API
/// lists only initializers that are also graph inputs, so a delta replacing a weight is checked against this.
/// </summary>
public static class OnnxInitializers
{
    private static readonly uint GraphTag = MakeTag(7, WireType.LengthDelimited);
    private static readonly uint InitializerTag = MakeTag(5, WireType.LengthDelimited);
    private static readonly uint DimTag = MakeTag(1, WireType.Varint);
    private static readonly uint PackedDimsTag = MakeTag(1, WireType.LengthDelimited);
    private static readonly uint DataTypeTag = MakeTag(2, WireType.Varint);
    private static readonly uint NameTag = MakeTag(8, WireType.LengthDelimited);

    /// <summary>Reads the initializers of the model at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a well-formed ONNX model.</exception>
    public static IReadOnlyDictionary<string, (TensorDataType Type, long[] Shape)> Read(string path)
    {
        var result = new Dictionary<string, (TensorDataType, long[])>(StringComparer.Ordinal);
        var input = new CodedInputStream(File.ReadAllBytes(path));
        try
        {
            ForEachMessage(input, GraphTag, graph => ForEachMessage(graph, InitializerTag, tensor =>
            {
                var (name, type, shape) = ReadTensor(tensor);
                result[name] = (type, shape);
            }));
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"{path} is not a well-formed ONNX model: {e.Message}", e);
        }
        return result;
    }

    /// <summary>Calls <paramref name="read"/> with each embedded message with <paramref name="tag"/>; skips other fields.</summary>
    private static void ForEachMessage(CodedInputStream input, uint tag, Action<CodedInputStream> read)
    {
        uint current;
        while ((current = input.ReadTag()) != 0)
        {
            if (current != tag)
            {
                input.SkipLastField();
                continue;
            }
            read(input.ReadBytes().CreateCodedInput());
        }
    }

    private static (string Name, TensorDataType Type, long[] Shape) ReadTensor(CodedInputStream input)
    {
        var name = "";
        var type = TensorDataType.Invalid;
        var shape = new List<long>();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (tag == DimTag)
            {
                shape.Add(input.ReadInt64());
            }
            else if (tag == PackedDimsTag)
            {
                // Packed dims (proto3 writers).
                var packed = input.ReadBytes().CreateCodedInput();
                while (!packed.IsAtEnd)
                {
                    shape.Add(packed.ReadInt64());
                }
            }
            else if (tag == DataTypeTag)
            {
                type = FromOnnx(input.ReadInt32());
            }
            else if (tag == NameTag)
            {
                name = input.ReadString();
            }
            else
            {
                input.SkipLastField();
            }
        }
        return (name, type, shape.ToArray());
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
