using Google.Protobuf;
using RecServe.Core.Tensors;
using Tensorflow;
using Proto = Tensorflow.TensorProto;

namespace RecServe.Protocol.TensorProto;

/// <summary>How a response tensor's values are laid out in the protobuf.</summary>
public enum TensorEncoding
{
    /// <summary>The typed repeated fields (<c>float_val</c>, ...), as TensorFlow Serving answers by default.</summary>
    TypedFields,
    /// <summary>Packed bytes in <c>tensor_content</c>: one memory copy, the fast path.</summary>
    TensorContent,
}

/// <summary>Turns a <see cref="Tensor"/> into a <see cref="Proto"/>.</summary>
public static class TensorProtoEncoder
{
    /// <summary>Encodes <paramref name="tensor"/>; string tensors always use <c>string_val</c>.</summary>
    public static Proto Encode(Tensor tensor, TensorEncoding encoding)
    {
        var proto = new Proto
        {
            Dtype = DataTypeMapping.ToProtoDataType(tensor.DataType),
            TensorShape = EncodeShape(tensor.Shape),
        };
        if (tensor.DataType == TensorDataType.String)
        {
            foreach (var value in tensor.Strings)
            {
                proto.StringVal.Add(ByteString.CopyFrom(value));
            }
            return proto;
        }
        if (encoding == TensorEncoding.TensorContent)
        {
            proto.TensorContent = ByteString.CopyFrom(tensor.Bytes);
            return proto;
        }
        switch (tensor.DataType)
        {
            case TensorDataType.Float32: AddAll(proto.FloatVal, tensor.AsSpan<float>()); break;
            case TensorDataType.Float64: AddAll(proto.DoubleVal, tensor.AsSpan<double>()); break;
            case TensorDataType.Int64: AddAll(proto.Int64Val, tensor.AsSpan<long>()); break;
            case TensorDataType.Int32: AddAll(proto.IntVal, tensor.AsSpan<int>()); break;
            case TensorDataType.Bool:
                foreach (var b in tensor.AsSpan<byte>())
                {
                    proto.BoolVal.Add(b != 0);
                }
                break;
            case TensorDataType.Int8:
                foreach (var v in tensor.AsSpan<sbyte>())
                {
                    proto.IntVal.Add(v);
                }
                break;
            case TensorDataType.UInt8:
                foreach (var v in tensor.AsSpan<byte>())
                {
                    proto.IntVal.Add(v);
                }
                break;
            case TensorDataType.Float16:
                foreach (var v in tensor.AsSpan<ushort>())
                {
                    proto.HalfVal.Add(v);
                }
                break;
        }
        return proto;
    }

    /// <summary>A shape proto with the given dimensions (-1 for dynamic ones).</summary>
    public static TensorShapeProto EncodeShape(ReadOnlySpan<long> shape)
    {
        var proto = new TensorShapeProto();
        foreach (var dim in shape)
        {
            proto.Dim.Add(new TensorShapeProto.Types.Dim { Size = dim });
        }
        return proto;
    }

    private static void AddAll<T>(Google.Protobuf.Collections.RepeatedField<T> field, ReadOnlySpan<T> values)
    {
        field.Capacity = values.Length;
        foreach (var v in values)
        {
            field.Add(v);
        }
    }
}
