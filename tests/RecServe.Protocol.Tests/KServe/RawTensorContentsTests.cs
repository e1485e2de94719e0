using System.Runtime.InteropServices;
using RecServe.Core.Tensors;
using RecServe.Protocol.KServe;
using static RecServe.Protocol.Tests.KServe.KServeTestSupport;

namespace RecServe.Protocol.Tests.KServe;

public sealed class RawTensorContentsTests
{
    [Fact]
    public void FixedSizeBytesDecodeAsLittleEndianRowMajor()
    {
        float[] values = [1.5f, -2, 3, 4.25f, 5, 6];
        using var tensor = RawTensorContents.Decode("x", TensorDataType.Float32, [2, 3], 6, MemoryMarshal.AsBytes(values.AsSpan()));

        Assert.Equal([2L, 3L], tensor.Shape);
        Assert.Equal(values, tensor.AsSpan<float>().ToArray());
    }

    [Fact]
    public void WrongByteCountNamesInputAndSizes()
    {
        var message = InvalidArgument(() => RawTensorContents.Decode("x", TensorDataType.Int64, [2], 2, new byte[15]).Dispose());
        Assert.Contains("input 'x' has 15 bytes", message);
        Assert.Contains("INT64 needs 16", message);
    }

    [Fact]
    public void BytesElementsAreLengthPrefixed()
    {
        var raw = LengthPrefixed("ab", "", "é");
        using var tensor = RawTensorContents.Decode("s", TensorDataType.String, [3], 3, raw.Span);

        Assert.Equal(["ab", "", "é"], Texts(tensor));
    }

    [Fact]
    public void BytesWithFewerElementsThanShapeAreRefused()
    {
        var raw = LengthPrefixed("ab");
        Assert.Contains("ends after 1 elements", InvalidArgument(() => RawTensorContents.Decode("s", TensorDataType.String, [2], 2, raw.Span).Dispose()));
    }

    [Fact]
    public void BytesLengthPastTheEndIsRefused()
    {
        byte[] raw = [10, 0, 0, 0, (byte)'a'];
        Assert.Contains("claims 10 bytes but only 1 remain", InvalidArgument(() => RawTensorContents.Decode("s", TensorDataType.String, [1], 1, raw).Dispose()));
    }

    [Fact]
    public void BytesAfterTheLastElementAreRefused()
    {
        var raw = LengthPrefixed("a", "b");
        Assert.Contains("5 bytes after the 1 elements", InvalidArgument(() => RawTensorContents.Decode("s", TensorDataType.String, [1], 1, raw.Span).Dispose()));
    }

    [Fact]
    public void EncodeWritesElementBytesAndLengthPrefixedStrings()
    {
        using var halves = Tensor.FromValues<Half>(TensorDataType.Float16, [2], [(Half)1.5, (Half)(-2)]);
        Assert.Equal(MemoryMarshal.AsBytes<Half>([(Half)1.5, (Half)(-2)]).ToArray(), RawTensorContents.Encode(halves).ToByteArray());

        using var strings = Tensor.FromStrings([2], [[0xff, 0x00], []]);
        Assert.Equal(new byte[] { 2, 0, 0, 0, 0xff, 0x00, 0, 0, 0, 0 }, RawTensorContents.Encode(strings).ToByteArray());
    }
}
