using System.Runtime.InteropServices;
using Google.Protobuf;
using RecServe.Core.Errors;
using RecServe.Core.Tensors;
using RecServe.Protocol.TensorProto;
using Tensorflow;
using Proto = Tensorflow.TensorProto;

namespace RecServe.Protocol.Tests.TensorProto;

public sealed class TensorProtoDecoderTests
{
    private static Proto NewProto(DataType dtype, params long[] shape) => new()
    {
        Dtype = dtype,
        TensorShape = TensorProtoEncoder.EncodeShape(shape),
    };

    [Fact]
    public void DecodesFloatVal()
    {
        var proto = NewProto(DataType.DtFloat, 2, 3);
        proto.FloatVal.AddRange([1f, 2f, 3f, 4f, 5f, -6.5f]);

        using var tensor = TensorProtoDecoder.Decode("x", proto);

        Assert.Equal(TensorDataType.Float32, tensor.DataType);
        Assert.Equal([2L, 3L], tensor.Shape);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, -6.5f], tensor.AsSpan<float>().ToArray());
    }

    [Fact]
    public void DecodesDoubleVal()
    {
        var proto = NewProto(DataType.DtDouble, 2);
        proto.DoubleVal.AddRange([0.1, -1e300]);

        using var tensor = TensorProtoDecoder.Decode("x", proto);

        Assert.Equal(TensorDataType.Float64, tensor.DataType);
        Assert.Equal([0.1, -1e300], tensor.AsSpan<double>().ToArray());
    }

    [Fact]
    public void DecodesHalfValAsRawBits()
    {
        var values = new[] { (Half)1.5, (Half)(-2), Half.MaxValue };
        var proto = NewProto(DataType.DtHalf, 3);
        foreach (var value in values)
        {
            proto.HalfVal.Add(BitConverter.HalfToUInt16Bits(value));
        }

        using var tensor = TensorProtoDecoder.Decode("h", proto);

        Assert.Equal(TensorDataType.Float16, tensor.DataType);
        Assert.Equal(values, tensor.AsSpan<Half>().ToArray());
    }

    [Fact]
    public void DecodesInt8FromIntVal()
    {
        var proto = NewProto(DataType.DtInt8, 3);
        proto.IntVal.AddRange([-128, -1, 127]);

        using var tensor = TensorProtoDecoder.Decode("i8", proto);

        Assert.Equal(TensorDataType.Int8, tensor.DataType);
        Assert.Equal([(sbyte)-128, (sbyte)-1, (sbyte)127], tensor.AsSpan<sbyte>().ToArray());
    }

    [Fact]
    public void DecodesUInt8FromIntVal()
    {
        var proto = NewProto(DataType.DtUint8, 3);
        proto.IntVal.AddRange([0, 200, 255]);

        using var tensor = TensorProtoDecoder.Decode("u8", proto);

        Assert.Equal(TensorDataType.UInt8, tensor.DataType);
        Assert.Equal([(byte)0, (byte)200, (byte)255], tensor.AsSpan<byte>().ToArray());
    }

    [Fact]
    public void DecodesInt32FromIntVal()
    {
        var proto = NewProto(DataType.DtInt32, 2);
        proto.IntVal.AddRange([int.MinValue, 7]);

        using var tensor = TensorProtoDecoder.Decode("i32", proto);

        Assert.Equal(TensorDataType.Int32, tensor.DataType);
        Assert.Equal([int.MinValue, 7], tensor.AsSpan<int>().ToArray());
    }

    [Fact]
    public void DecodesInt64Val()
    {
        var proto = NewProto(DataType.DtInt64, 2);
        proto.Int64Val.AddRange([long.MaxValue, -3]);

        using var tensor = TensorProtoDecoder.Decode("ids", proto);

        Assert.Equal(TensorDataType.Int64, tensor.DataType);
        Assert.Equal([long.MaxValue, -3L], tensor.AsSpan<long>().ToArray());
    }

    [Fact]
    public void DecodesBoolValAsBytes()
    {
        var proto = NewProto(DataType.DtBool, 3);
        proto.BoolVal.AddRange([true, false, true]);

        using var tensor = TensorProtoDecoder.Decode("b", proto);

        Assert.Equal(TensorDataType.Bool, tensor.DataType);
        Assert.Equal([(byte)1, (byte)0, (byte)1], tensor.AsSpan<byte>().ToArray());
    }

    [Fact]
    public void DecodesStringValAsBytes()
    {
        var proto = NewProto(DataType.DtString, 2);
        proto.StringVal.Add(ByteString.CopyFromUtf8("héllo"));
        proto.StringVal.Add(ByteString.CopyFrom(0xff, 0x00));

        using var tensor = TensorProtoDecoder.Decode("s", proto);

        Assert.Equal(TensorDataType.String, tensor.DataType);
        Assert.Equal("héllo"u8.ToArray(), tensor.Strings[0]);
        Assert.Equal(new byte[] { 0xff, 0x00 }, tensor.Strings[1]);
    }

    [Fact]
    public void DecodesTensorContent()
    {
        var values = new[] { 1.5f, -2f, 3.25f, 4f };
        var proto = NewProto(DataType.DtFloat, 2, 2);
        proto.TensorContent = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));

        using var tensor = TensorProtoDecoder.Decode("x", proto);

        Assert.Equal([2L, 2L], tensor.Shape);
        Assert.Equal(values, tensor.AsSpan<float>().ToArray());
    }

    [Fact]
    public void MissingShapeIsAScalar()
    {
        var proto = new Proto { Dtype = DataType.DtInt32 };
        proto.IntVal.Add(42);

        using var tensor = TensorProtoDecoder.Decode("s", proto);

        Assert.Empty(tensor.Shape);
        Assert.Equal(1, tensor.ElementCount);
        Assert.Equal(42, tensor.AsSpan<int>()[0]);
    }

    [Fact]
    public void OneValueFillsTheShape()
    {
        var proto = NewProto(DataType.DtFloat, 2, 2);
        proto.FloatVal.Add(7f);

        using var tensor = TensorProtoDecoder.Decode("x", proto);

        Assert.Equal([7f, 7f, 7f, 7f], tensor.AsSpan<float>().ToArray());
    }

    [Fact]
    public void FewerValuesRepeatTheLast()
    {
        var proto = NewProto(DataType.DtInt64, 4);
        proto.Int64Val.AddRange([1, 2]);

        using var tensor = TensorProtoDecoder.Decode("ids", proto);

        Assert.Equal([1L, 2L, 2L, 2L], tensor.AsSpan<long>().ToArray());
    }

    [Fact]
    public void OneConvertedValueFillsTheShape()
    {
        var proto = NewProto(DataType.DtHalf, 3);
        proto.HalfVal.Add(BitConverter.HalfToUInt16Bits((Half)0.5));

        using var tensor = TensorProtoDecoder.Decode("h", proto);

        Assert.Equal([(Half)0.5, (Half)0.5, (Half)0.5], tensor.AsSpan<Half>().ToArray());
    }

    [Fact]
    public void OneStringFillsTheShape()
    {
        var proto = NewProto(DataType.DtString, 3);
        proto.StringVal.Add(ByteString.CopyFromUtf8("a"));

        using var tensor = TensorProtoDecoder.Decode("s", proto);

        Assert.All(tensor.Strings, s => Assert.Equal("a"u8.ToArray(), s));
    }

    [Theory]
    [InlineData(DataType.DtFloat)]
    [InlineData(DataType.DtDouble)]
    [InlineData(DataType.DtHalf)]
    [InlineData(DataType.DtInt8)]
    [InlineData(DataType.DtUint8)]
    [InlineData(DataType.DtInt32)]
    [InlineData(DataType.DtInt64)]
    [InlineData(DataType.DtBool)]
    public void NoValuesMeansZeros(DataType dtype)
    {
        using var tensor = TensorProtoDecoder.Decode("z", NewProto(dtype, 2, 3));

        Assert.Equal([2L, 3L], tensor.Shape);
        Assert.Equal(6 * tensor.DataType.ElementSize(), tensor.Bytes.Length);
        Assert.All(tensor.Bytes.ToArray(), b => Assert.Equal(0, b));
    }

    [Fact]
    public void NoStringsMeansEmptyStrings()
    {
        using var tensor = TensorProtoDecoder.Decode("s", NewProto(DataType.DtString, 2));

        Assert.Equal(2, tensor.Strings.Length);
        Assert.All(tensor.Strings, Assert.Empty);
    }

    [Fact]
    public void RejectsTooManyValuesNamingTheTensor()
    {
        var proto = NewProto(DataType.DtFloat, 2);
        proto.FloatVal.AddRange([1f, 2f, 3f]);

        var error = Assert.Throws<ServingException>(() => TensorProtoDecoder.Decode("feat", proto));

        Assert.Equal(ServingErrorCode.InvalidArgument, error.Code);
        Assert.Contains("'feat'", error.Message);
        Assert.Contains("3 values", error.Message);
    }

    [Fact]
    public void RejectsTooManyStrings()
    {
        var proto = NewProto(DataType.DtString, 1);
        proto.StringVal.AddRange([ByteString.CopyFromUtf8("a"), ByteString.CopyFromUtf8("b")]);

        var error = Assert.Throws<ServingException>(() => TensorProtoDecoder.Decode("text", proto));

        Assert.Equal(ServingErrorCode.InvalidArgument, error.Code);
        Assert.Contains("'text'", error.Message);
    }

    [Fact]
    public void RejectsTensorContentOfTheWrongLength()
    {
        var proto = NewProto(DataType.DtFloat, 2, 2);
        proto.TensorContent = ByteString.CopyFrom(new byte[12]);

        var error = Assert.Throws<ServingException>(() => TensorProtoDecoder.Decode("x", proto));

        Assert.Equal(ServingErrorCode.InvalidArgument, error.Code);
        Assert.Contains("'x'", error.Message);
        Assert.Contains("12 bytes", error.Message);
        Assert.Contains("needs 16", error.Message);
    }

    [Fact]
    public void RejectsNegativeDimension()
    {
        var proto = NewProto(DataType.DtFloat, 2, -1);

        var error = Assert.Throws<ServingException>(() => TensorProtoDecoder.Decode("x", proto));

        Assert.Equal(ServingErrorCode.InvalidArgument, error.Code);
        Assert.Contains("'x'", error.Message);
        Assert.Contains("dimension 1", error.Message);
    }

    [Fact]
    public void RejectsUnknownRank()
    {
        var proto = new Proto { Dtype = DataType.DtFloat, TensorShape = new TensorShapeProto { UnknownRank = true } };

        var error = Assert.Throws<ServingException>(() => TensorProtoDecoder.Decode("x", proto));

        Assert.Equal(ServingErrorCode.InvalidArgument, error.Code);
        Assert.Contains("'x'", error.Message);
        Assert.Contains("unknown rank", error.Message);
    }

    [Theory]
    [InlineData(DataType.DtComplex64)]
    [InlineData(DataType.DtBfloat16)]
    [InlineData(DataType.DtInvalid)]
    public void RejectsUnsupportedDtype(DataType dtype)
    {
        var proto = NewProto(dtype, 1);

        var error = Assert.Throws<ServingException>(() => TensorProtoDecoder.Decode("c", proto));

        Assert.Equal(ServingErrorCode.InvalidArgument, error.Code);
        Assert.Contains("'c'", error.Message);
        Assert.Contains(dtype.ToString(), error.Message);
    }

    [Fact]
    public void RejectsShapeWhoseElementCountOverflows()
    {
        var proto = NewProto(DataType.DtFloat, long.MaxValue / 2, 4);

        var error = Assert.Throws<ServingException>(() => TensorProtoDecoder.Decode("x", proto));

        Assert.Equal(ServingErrorCode.InvalidArgument, error.Code);
        Assert.Contains("'x'", error.Message);
    }

    [Fact]
    public void RejectsShapeWithMoreElementsThanATensorHolds()
    {
        var proto = NewProto(DataType.DtInt8, 1L << 32);

        var error = Assert.Throws<ServingException>(() => TensorProtoDecoder.Decode("x", proto));

        Assert.Equal(ServingErrorCode.InvalidArgument, error.Code);
        Assert.Contains("'x'", error.Message);
    }

    [Fact]
    public void RejectsShapeWhoseBytesExceedATensorBeforeAllocating()
    {
        // 300 million doubles fit an int element count but not an int byte count.
        var proto = NewProto(DataType.DtDouble, 300_000_000);

        var error = Assert.Throws<ServingException>(() => TensorProtoDecoder.Decode("big", proto));

        Assert.Equal(ServingErrorCode.InvalidArgument, error.Code);
        Assert.Contains("'big'", error.Message);
    }
}
