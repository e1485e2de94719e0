using System.Runtime.InteropServices;
using Google.Protobuf;
using RecServe.Core.Tensors;
using RecServe.Protocol.TensorProto;
using Tensorflow;

namespace RecServe.Protocol.Tests.TensorProto;

public sealed class TensorProtoEncoderTests
{
    private static readonly long[] Shape = [2, 3];

    public static TheoryData<TensorDataType, TensorEncoding> FixedSizeTypes()
    {
        var data = new TheoryData<TensorDataType, TensorEncoding>();
        foreach (var type in new[]
                 {
                     TensorDataType.Float32, TensorDataType.Float64, TensorDataType.Float16, TensorDataType.Int8,
                     TensorDataType.UInt8, TensorDataType.Int32, TensorDataType.Int64, TensorDataType.Bool,
                 })
        {
            data.Add(type, TensorEncoding.TypedFields);
            data.Add(type, TensorEncoding.TensorContent);
        }
        return data;
    }

    // Six distinct values per type, including negatives and extremes where the type has them.
    private static Tensor Sample(TensorDataType type) => type switch
    {
        TensorDataType.Float32 => Tensor.FromValues<float>(type, Shape, [1.5f, -2f, 0f, float.MaxValue, float.Epsilon, -0.125f]),
        TensorDataType.Float64 => Tensor.FromValues<double>(type, Shape, [1.5, -2, 0, double.MaxValue, double.Epsilon, 1e-300]),
        TensorDataType.Float16 => Tensor.FromValues<Half>(type, Shape, [(Half)1.5, (Half)(-2), (Half)0, Half.MaxValue, Half.Epsilon, (Half)(-0.125)]),
        TensorDataType.Int8 => Tensor.FromValues<sbyte>(type, Shape, [-128, -1, 0, 1, 100, 127]),
        TensorDataType.UInt8 => Tensor.FromValues<byte>(type, Shape, [0, 1, 127, 128, 200, 255]),
        TensorDataType.Int32 => Tensor.FromValues<int>(type, Shape, [int.MinValue, -1, 0, 1, 1 << 20, int.MaxValue]),
        TensorDataType.Int64 => Tensor.FromValues<long>(type, Shape, [long.MinValue, -1, 0, 1, 1L << 40, long.MaxValue]),
        TensorDataType.Bool => Tensor.FromValues<byte>(type, Shape, [1, 0, 0, 1, 1, 0]),
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    [Theory]
    [MemberData(nameof(FixedSizeTypes))]
    public void FixedSizeTypesRoundTrip(TensorDataType type, TensorEncoding encoding)
    {
        using var original = Sample(type);

        var proto = TensorProtoEncoder.Encode(original, encoding);
        using var decoded = TensorProtoDecoder.Decode("t", proto);

        Assert.Equal(DataTypeMapping.ToProtoDataType(type), proto.Dtype);
        Assert.Equal(type, decoded.DataType);
        Assert.Equal(Shape, decoded.Shape);
        Assert.Equal(original.Bytes.ToArray(), decoded.Bytes.ToArray());
    }

    [Theory]
    [MemberData(nameof(FixedSizeTypes))]
    public void FillsOnlyTheFieldOfItsEncoding(TensorDataType type, TensorEncoding encoding)
    {
        using var tensor = Sample(type);

        var proto = TensorProtoEncoder.Encode(tensor, encoding);

        var counts = new Dictionary<string, int>
        {
            ["tensor_content"] = proto.TensorContent.IsEmpty ? 0 : 1,
            ["float_val"] = proto.FloatVal.Count,
            ["double_val"] = proto.DoubleVal.Count,
            ["half_val"] = proto.HalfVal.Count,
            ["int_val"] = proto.IntVal.Count,
            ["int64_val"] = proto.Int64Val.Count,
            ["bool_val"] = proto.BoolVal.Count,
            ["string_val"] = proto.StringVal.Count,
        };
        var expected = encoding == TensorEncoding.TensorContent ? "tensor_content" : type switch
        {
            TensorDataType.Float32 => "float_val",
            TensorDataType.Float64 => "double_val",
            TensorDataType.Float16 => "half_val",
            TensorDataType.Int8 or TensorDataType.UInt8 or TensorDataType.Int32 => "int_val",
            TensorDataType.Int64 => "int64_val",
            TensorDataType.Bool => "bool_val",
            _ => throw new ArgumentOutOfRangeException(nameof(type)),
        };
        Assert.Equal(encoding == TensorEncoding.TensorContent ? 1 : 6, counts[expected]);
        Assert.All(counts.Where(c => c.Key != expected), c => Assert.Equal(0, c.Value));
    }

    [Fact]
    public void TensorContentHoldsTheLittleEndianBytes()
    {
        using var tensor = Tensor.FromValues<int>(TensorDataType.Int32, [2], [1, 0x01020304]);

        var proto = TensorProtoEncoder.Encode(tensor, TensorEncoding.TensorContent);

        Assert.Equal(new byte[] { 1, 0, 0, 0, 4, 3, 2, 1 }, proto.TensorContent.ToByteArray());
    }

    [Fact]
    public void TypedFieldsHoldTheValues()
    {
        using var int8 = Tensor.FromValues<sbyte>(TensorDataType.Int8, [2], [-5, 7]);
        using var half = Tensor.FromValues<Half>(TensorDataType.Float16, [1], [(Half)1.5]);
        using var flags = Tensor.FromValues<byte>(TensorDataType.Bool, [2], [0, 1]);

        Assert.Equal([-5, 7], TensorProtoEncoder.Encode(int8, TensorEncoding.TypedFields).IntVal);
        Assert.Equal([0x3E00], TensorProtoEncoder.Encode(half, TensorEncoding.TypedFields).HalfVal);
        Assert.Equal([false, true], TensorProtoEncoder.Encode(flags, TensorEncoding.TypedFields).BoolVal);
    }

    [Theory]
    [InlineData(TensorEncoding.TypedFields)]
    [InlineData(TensorEncoding.TensorContent)]
    public void StringsRoundTripThroughStringVal(TensorEncoding encoding)
    {
        byte[][] values = ["héllo"u8.ToArray(), [], [0xff, 0x00, 0x7f]];
        using var tensor = Tensor.FromStrings([3], values);

        var proto = TensorProtoEncoder.Encode(tensor, encoding);
        using var decoded = TensorProtoDecoder.Decode("s", proto);

        Assert.Equal(DataType.DtString, proto.Dtype);
        Assert.True(proto.TensorContent.IsEmpty);
        Assert.Equal(3, proto.StringVal.Count);
        Assert.Equal([3L], decoded.Shape);
        Assert.Equal(values, decoded.Strings);
    }

    [Theory]
    [InlineData(TensorEncoding.TypedFields)]
    [InlineData(TensorEncoding.TensorContent)]
    public void EmptyTensorRoundTrips(TensorEncoding encoding)
    {
        using var tensor = Tensor.Allocate(TensorDataType.Float32, [0, 4]);

        var proto = TensorProtoEncoder.Encode(tensor, encoding);
        using var decoded = TensorProtoDecoder.Decode("e", proto);

        Assert.Equal([0L, 4L], decoded.Shape);
        Assert.Equal(0, decoded.ElementCount);
    }

    [Fact]
    public void ScalarRoundTrips()
    {
        using var tensor = Tensor.FromValues<double>(TensorDataType.Float64, [], [2.5]);

        var proto = TensorProtoEncoder.Encode(tensor, TensorEncoding.TypedFields);
        using var decoded = TensorProtoDecoder.Decode("s", proto);

        Assert.Empty(proto.TensorShape.Dim);
        Assert.Empty(decoded.Shape);
        Assert.Equal(2.5, decoded.AsSpan<double>()[0]);
    }

    [Fact]
    public void EncodeShapeKeepsDynamicDimensions()
    {
        var shape = TensorProtoEncoder.EncodeShape([-1, 4]);

        Assert.False(shape.UnknownRank);
        Assert.Equal([-1L, 4L], shape.Dim.Select(d => d.Size));
    }

    [Fact]
    public void DecodedTensorContentIsACopy()
    {
        var bytes = MemoryMarshal.AsBytes<float>([1f, 2f]).ToArray();
        var proto = new Tensorflow.TensorProto
        {
            Dtype = DataType.DtFloat,
            TensorShape = TensorProtoEncoder.EncodeShape([2]),
            TensorContent = ByteString.CopyFrom(bytes),
        };

        using var decoded = TensorProtoDecoder.Decode("x", proto);
        decoded.AsSpan<float>()[0] = 9f;

        Assert.Equal(bytes, proto.TensorContent.ToByteArray());
    }
}
