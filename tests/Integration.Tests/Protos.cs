using System.Runtime.InteropServices;
using Google.Protobuf;
using Tensorflow;

namespace Integration.Tests;

/// <summary>Builds request TensorProtos and reads response ones, in both encodings.</summary>
internal static class Protos
{
    public static TensorShapeProto Shape(params long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
        {
            shape.Dim.Add(new TensorShapeProto.Types.Dim { Size = d });
        }
        return shape;
    }

    public static TensorProto Floats(float[] values, long[] shape, bool content)
    {
        var proto = new TensorProto { Dtype = DataType.DtFloat, TensorShape = Shape(shape) };
        if (content)
        {
            proto.TensorContent = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
        }
        else
        {
            proto.FloatVal.AddRange(values);
        }
        return proto;
    }

    public static TensorProto Doubles(double[] values, long[] shape, bool content)
    {
        var proto = new TensorProto { Dtype = DataType.DtDouble, TensorShape = Shape(shape) };
        if (content)
        {
            proto.TensorContent = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
        }
        else
        {
            proto.DoubleVal.AddRange(values);
        }
        return proto;
    }

    public static TensorProto Int64s(long[] values, long[] shape, bool content)
    {
        var proto = new TensorProto { Dtype = DataType.DtInt64, TensorShape = Shape(shape) };
        if (content)
        {
            proto.TensorContent = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
        }
        else
        {
            proto.Int64Val.AddRange(values);
        }
        return proto;
    }

    public static TensorProto Int32s(int[] values, long[] shape, bool content)
    {
        var proto = new TensorProto { Dtype = DataType.DtInt32, TensorShape = Shape(shape) };
        if (content)
        {
            proto.TensorContent = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
        }
        else
        {
            proto.IntVal.AddRange(values);
        }
        return proto;
    }

    public static TensorProto Halves(Half[] values, long[] shape, bool content)
    {
        var proto = new TensorProto { Dtype = DataType.DtHalf, TensorShape = Shape(shape) };
        if (content)
        {
            proto.TensorContent = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
        }
        else
        {
            foreach (var v in values)
            {
                proto.HalfVal.Add(BitConverter.HalfToInt16Bits(v) & 0xFFFF);
            }
        }
        return proto;
    }

    public static TensorProto Bools(bool[] values, long[] shape, bool content)
    {
        var proto = new TensorProto { Dtype = DataType.DtBool, TensorShape = Shape(shape) };
        if (content)
        {
            proto.TensorContent = ByteString.CopyFrom(values.Select(b => b ? (byte)1 : (byte)0).ToArray());
        }
        else
        {
            proto.BoolVal.AddRange(values);
        }
        return proto;
    }

    public static TensorProto Strings(string[] values, long[] shape)
    {
        var proto = new TensorProto { Dtype = DataType.DtString, TensorShape = Shape(shape) };
        foreach (var v in values)
        {
            proto.StringVal.Add(ByteString.CopyFromUtf8(v));
        }
        return proto;
    }

    public static long[] ShapeOf(TensorProto proto) => proto.TensorShape.Dim.Select(d => d.Size).ToArray();

    /// <summary>Every element as a double, whichever encoding and numeric dtype the server used.</summary>
    public static double[] Values(TensorProto proto)
    {
        var content = proto.TensorContent.Span;
        return proto.Dtype switch
        {
            DataType.DtFloat => content.IsEmpty ? proto.FloatVal.Select(v => (double)v).ToArray() : MemoryMarshal.Cast<byte, float>(content).ToArray().Select(v => (double)v).ToArray(),
            DataType.DtDouble => content.IsEmpty ? proto.DoubleVal.ToArray() : MemoryMarshal.Cast<byte, double>(content).ToArray(),
            DataType.DtInt64 => content.IsEmpty ? proto.Int64Val.Select(v => (double)v).ToArray() : MemoryMarshal.Cast<byte, long>(content).ToArray().Select(v => (double)v).ToArray(),
            DataType.DtInt32 => content.IsEmpty ? proto.IntVal.Select(v => (double)v).ToArray() : MemoryMarshal.Cast<byte, int>(content).ToArray().Select(v => (double)v).ToArray(),
            DataType.DtBool => content.IsEmpty ? proto.BoolVal.Select(v => v ? 1.0 : 0.0).ToArray() : content.ToArray().Select(v => (double)v).ToArray(),
            DataType.DtHalf => content.IsEmpty
                ? proto.HalfVal.Select(v => (double)BitConverter.Int16BitsToHalf((short)v)).ToArray()
                : MemoryMarshal.Cast<byte, Half>(content).ToArray().Select(v => (double)v).ToArray(),
            _ => throw new InvalidOperationException("unexpected dtype " + proto.Dtype),
        };
    }
}
