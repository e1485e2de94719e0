using Google.Protobuf;
using Inference;
using RecServe.Core.Tensors;
using RecServe.Protocol.KServe;
using static RecServe.Protocol.Tests.KServe.KServeTestSupport;

namespace RecServe.Protocol.Tests.KServe;

public sealed class TypedTensorContentsTests
{
    [Fact]
    public void EachTypeReadsItsOwnField()
    {
        var contents = new InferTensorContents();
        contents.Fp32Contents.Add([1.5f, 2]);
        using (var t = TypedTensorContents.Decode("x", TensorDataType.Float32, [2], 2, contents))
        {
            Assert.Equal([1.5f, 2f], t.AsSpan<float>().ToArray());
        }

        contents = new InferTensorContents();
        contents.IntContents.Add([-128, 127]);
        using (var t = TypedTensorContents.Decode("x", TensorDataType.Int8, [2], 2, contents))
        {
            Assert.Equal([(sbyte)-128, (sbyte)127], t.AsSpan<sbyte>().ToArray());
        }

        contents = new InferTensorContents();
        contents.UintContents.Add([0u, 255u]);
        using (var t = TypedTensorContents.Decode("x", TensorDataType.UInt8, [2], 2, contents))
        {
            Assert.Equal([(byte)0, (byte)255], t.AsSpan<byte>().ToArray());
        }

        contents = new InferTensorContents();
        contents.Int64Contents.Add([long.MinValue, 5]);
        using (var t = TypedTensorContents.Decode("x", TensorDataType.Int64, [1, 2], 2, contents))
        {
            Assert.Equal([long.MinValue, 5L], t.AsSpan<long>().ToArray());
        }

        contents = new InferTensorContents();
        contents.BoolContents.Add([true, false, true]);
        using (var t = TypedTensorContents.Decode("x", TensorDataType.Bool, [3], 3, contents))
        {
            Assert.Equal([(byte)1, (byte)0, (byte)1], t.AsSpan<byte>().ToArray());
        }

        contents = new InferTensorContents();
        contents.BytesContents.Add(ByteString.CopyFromUtf8("héllo"));
        using (var t = TypedTensorContents.Decode("x", TensorDataType.String, [1], 1, contents))
        {
            Assert.Equal(["héllo"], Texts(t));
        }
    }

    [Fact]
    public void ValueCountMustEqualShape()
    {
        var contents = new InferTensorContents();
        contents.Fp64Contents.Add([1.0, 2, 3]);
        var message = InvalidArgument(() => TypedTensorContents.Decode("x", TensorDataType.Float64, [2, 2], 4, contents).Dispose());
        Assert.Contains("input 'x' has 3 values in fp64_contents but shape [2, 2] holds 4", message);
    }

    [Fact]
    public void ValuesInAnotherTypesFieldAreRefused()
    {
        var contents = new InferTensorContents();
        contents.Fp64Contents.Add([1.0, 2]);
        var message = InvalidArgument(() => TypedTensorContents.Decode("x", TensorDataType.Float32, [2], 2, contents).Dispose());
        Assert.Contains("FP32, whose values go in fp32_contents, but its contents hold 2 values in other fields", message);
    }

    [Fact]
    public void MissingContentsAreAnEmptyFieldNotACrash()
    {
        Assert.Contains("0 values in int64_contents", InvalidArgument(() => TypedTensorContents.Decode("x", TensorDataType.Int64, [1], 1, null).Dispose()));
        using var empty = TypedTensorContents.Decode("x", TensorDataType.Int64, [0, 3], 0, null);
        Assert.Equal(0, empty.ElementCount);
    }

    [Fact]
    public void NarrowIntegersOutOfRangeAreRefused()
    {
        var ints = new InferTensorContents();
        ints.IntContents.Add([1, 200]);
        Assert.Contains("value 1 is 200, out of range for INT8", InvalidArgument(() => TypedTensorContents.Decode("x", TensorDataType.Int8, [2], 2, ints).Dispose()));

        var uints = new InferTensorContents();
        uints.UintContents.Add(256u);
        Assert.Contains("value 0 is 256, out of range for UINT8", InvalidArgument(() => TypedTensorContents.Decode("x", TensorDataType.UInt8, [1], 1, uints).Dispose()));
    }

    [Fact]
    public void Fp16HasNoTypedFieldAndPointsToRaw()
    {
        Assert.False(TypedTensorContents.CanEncode(TensorDataType.Float16));
        var contents = new InferTensorContents();
        contents.Fp32Contents.Add(1f);
        Assert.Contains("send it in raw_input_contents", InvalidArgument(() => TypedTensorContents.Decode("h", TensorDataType.Float16, [1], 1, contents).Dispose()));
    }

    [Fact]
    public void EncodeFillsTheFieldOfEachType()
    {
        using var int8 = Tensor.FromValues<sbyte>(TensorDataType.Int8, [2], [-3, 4]);
        Assert.Equal([-3, 4], TypedTensorContents.Encode(int8).IntContents);

        using var uint8 = Tensor.FromValues<byte>(TensorDataType.UInt8, [1], [250]);
        Assert.Equal([250u], TypedTensorContents.Encode(uint8).UintContents);

        using var bools = Tensor.FromValues<byte>(TensorDataType.Bool, [2], [0, 1]);
        Assert.Equal([false, true], TypedTensorContents.Encode(bools).BoolContents);

        using var doubles = Tensor.FromValues<double>(TensorDataType.Float64, [1], [0.25]);
        var encoded = TypedTensorContents.Encode(doubles);
        Assert.Equal([0.25], encoded.Fp64Contents);
        Assert.Empty(encoded.Fp32Contents);

        using var strings = Tensor.FromStrings([1], [[1, 2, 3]]);
        Assert.Equal(new byte[] { 1, 2, 3 }, TypedTensorContents.Encode(strings).BytesContents[0].ToByteArray());
    }
}
