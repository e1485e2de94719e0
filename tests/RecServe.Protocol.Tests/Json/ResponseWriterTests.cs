using System.Buffers;
using System.Text;
using System.Text.Json;
using RecServe.Core.Errors;
using RecServe.Core.Tensors;
using RecServe.Protocol.Json;
using static RecServe.Protocol.Tests.Json.JsonTestSupport;

namespace RecServe.Protocol.Tests.Json;

public sealed class ResponseWriterTests
{
    [Fact]
    public void RowFormatWithOneOutputWritesBareRows()
    {
        using var y = Floats([2, 2], 1, 2.5f, 3, 4);

        Assert.Equal("""{"predictions":[[1.0,2.5],[3.0,4.0]]}""", Write(PredictJsonFormat.Row, ("y", y)));
    }

    [Fact]
    public void RowFormatWithOneVectorOutputWritesScalarRows()
    {
        using var y = Floats([3], 0.5f, 1, -2);

        Assert.Equal("""{"predictions":[0.5,1.0,-2.0]}""", Write(PredictJsonFormat.Row, ("y", y)));
    }

    [Fact]
    public void RowFormatWithSeveralOutputsWritesObjectRowsInOutputOrder()
    {
        using var ids = Tensor.FromValues<long>(TensorDataType.Int64, [2], [7, 8]);
        using var scores = Floats([2, 2], 1, 2, 3, 4);

        var json = Write(PredictJsonFormat.Row, ("ids", ids), ("scores", scores));

        Assert.Equal("""{"predictions":[{"ids":7,"scores":[1.0,2.0]},{"ids":8,"scores":[3.0,4.0]}]}""", json);
    }

    [Fact]
    public void RowFormatWithEmptyBatchWritesEmptyList()
    {
        using var y = Floats([0, 3]);

        Assert.Equal("""{"predictions":[]}""", Write(PredictJsonFormat.Row, ("y", y)));
    }

    [Fact]
    public void RowFormatRejectsScalarOutputWritingNothing()
    {
        using var y = Floats([2], 1, 2);
        using var total = Floats([], 3);
        var buffer = new ArrayBufferWriter<byte>();

        var error = Assert.Throws<ServingException>(() => PredictJsonResponseWriter.Write(
            buffer, PredictJsonFormat.Row, [new("y", y), new("total", total)]));

        Assert.Equal(ServingErrorCode.InvalidArgument, error.Code);
        Assert.Contains("output 'total' is a scalar", error.Message);
        Assert.Equal(0, buffer.WrittenCount);
    }

    [Fact]
    public void RowFormatRejectsOutputsWithDifferentBatchSizes()
    {
        using var y = Floats([2], 1, 2);
        using var z = Floats([3], 1, 2, 3);
        var buffer = new ArrayBufferWriter<byte>();

        var error = Assert.Throws<ServingException>(() => PredictJsonResponseWriter.Write(
            buffer, PredictJsonFormat.Row, [new("y", y), new("z", z)]));

        Assert.Contains("output 'z' has batch size 3 but output 'y' has 2", error.Message);
        Assert.Equal(0, buffer.WrittenCount);
    }

    [Fact]
    public void ColumnarFormatWithOneOutputWritesTheTensor()
    {
        using var y = Floats([2, 2], 1, 2.5f, 3, 4);

        Assert.Equal("""{"outputs":[[1.0,2.5],[3.0,4.0]]}""", Write(PredictJsonFormat.Columnar, ("y", y)));
    }

    [Fact]
    public void ColumnarFormatWritesScalarAsBareValue()
    {
        using var y = Floats([], 3);

        Assert.Equal("""{"outputs":3.0}""", Write(PredictJsonFormat.Columnar, ("y", y)));
    }

    [Fact]
    public void ColumnarFormatWithSeveralOutputsWritesObjectAllowingAnyShapes()
    {
        using var total = Tensor.FromValues<int>(TensorDataType.Int32, [], [5]);
        using var scores = Floats([3], 1, 2, 3);
        using var empty = Floats([2, 0]);

        var json = Write(PredictJsonFormat.Columnar, ("total", total), ("scores", scores), ("empty", empty));

        Assert.Equal("""{"outputs":{"total":5,"scores":[1.0,2.0,3.0],"empty":[[],[]]}}""", json);
    }

    [Fact]
    public void RejectsNoOutputs()
    {
        var error = Assert.Throws<ServingException>(() => PredictJsonResponseWriter.Write(
            new ArrayBufferWriter<byte>(), PredictJsonFormat.Columnar, []));

        Assert.Contains("no outputs", error.Message);
    }

    [Theory]
    [InlineData(0.1f, "0.1")]
    [InlineData(1f / 3f, "0.33333334")]
    [InlineData(16777216f, "16777216.0")]
    [InlineData(1e20f, "1E+20")]
    [InlineData(1.5e-45f, "1E-45")]
    [InlineData(-0f, "-0.0")]
    [InlineData(float.MaxValue, "3.4028235E+38")]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "Infinity")]
    [InlineData(float.NegativeInfinity, "-Infinity")]
    public void WritesFloat32ShortestRoundTripWithTfServingTokens(float value, string text)
    {
        using var y = Floats([], value);

        Assert.Equal($$"""{"outputs":{{text}}}""", Write(PredictJsonFormat.Columnar, ("y", y)));
    }

    [Fact]
    public void WritesFloat64ShortestRoundTrip()
    {
        using var y = Tensor.FromValues<double>(TensorDataType.Float64, [5], [0.1, 1.0 / 3.0, 1e300, 2, double.NaN]);

        Assert.Equal("""{"outputs":[0.1,0.3333333333333333,1E+300,2.0,NaN]}""", Write(PredictJsonFormat.Columnar, ("y", y)));
    }

    [Fact]
    public void WritesFloat16AsItsFloatValue()
    {
        using var y = Tensor.FromValues<Half>(TensorDataType.Float16, [4], [(Half)0.5f, (Half)0.1f, (Half)65504f, Half.NegativeInfinity]);

        Assert.Equal("""{"outputs":[0.5,0.099975586,65504.0,-Infinity]}""", Write(PredictJsonFormat.Columnar, ("y", y)));
    }

    [Fact]
    public void WritesIntegerAndBoolTypes()
    {
        using var i8 = Tensor.FromValues<sbyte>(TensorDataType.Int8, [2], [-128, 127]);
        using var u8 = Tensor.FromValues<byte>(TensorDataType.UInt8, [2], [0, 255]);
        using var i32 = Tensor.FromValues<int>(TensorDataType.Int32, [2], [int.MinValue, int.MaxValue]);
        using var i64 = Tensor.FromValues<long>(TensorDataType.Int64, [2], [long.MinValue, long.MaxValue]);
        using var flags = Tensor.FromValues<byte>(TensorDataType.Bool, [2], [1, 0]);

        var json = Write(PredictJsonFormat.Columnar, ("i8", i8), ("u8", u8), ("i32", i32), ("i64", i64), ("flags", flags));

        Assert.Equal(
            """{"outputs":{"i8":[-128,127],"u8":[0,255],"i32":[-2147483648,2147483647],"i64":[-9223372036854775808,9223372036854775807],"flags":[true,false]}}""",
            json);
    }

    [Fact]
    public void WritesStringsAsTextWithOnlyRequiredEscapes()
    {
        using var labels = Strings([3], "cat", "a\"b\n", "café+/<");

        Assert.Equal("""{"outputs":["cat","a\"b\n","café+/<"]}""", Write(PredictJsonFormat.Columnar, ("labels", labels)));
    }

    [Fact]
    public void WritesOutputsNamedBytesAsBase64Objects()
    {
        using var image = Strings([1], "hello");

        Assert.Equal("""{"outputs":[{"b64":"aGVsbG8="}]}""", Write(PredictJsonFormat.Columnar, ("image_bytes", image)));
    }

    [Fact]
    public void WritesInvalidUtf8StringsAsBase64Objects()
    {
        using var raw = Tensor.FromStrings([2], [[0xff, 0xfe], "ok"u8.ToArray()]);

        Assert.Equal("""{"predictions":[{"b64":"//4="},"ok"]}""", Write(PredictJsonFormat.Row, ("raw", raw)));
    }

    [Fact]
    public void WritesErrorObject()
    {
        var buffer = new ArrayBufferWriter<byte>();

        PredictJsonResponseWriter.WriteError(buffer, "input 'x' is \"bad\"\n");

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        Assert.Equal("input 'x' is \"bad\"\n", document.RootElement.GetProperty("error").GetString());
        Assert.Equal("""{"error":"input 'x' is \"bad\"\n"}""", Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void AppendsToWhatTheBufferAlreadyHolds()
    {
        var buffer = new ArrayBufferWriter<byte>();
        buffer.Write("prefix:"u8);
        using var y = Floats([1], 1);

        PredictJsonResponseWriter.Write(buffer, PredictJsonFormat.Row, [new("y", y)]);

        Assert.Equal("""prefix:{"predictions":[1.0]}""", Encoding.UTF8.GetString(buffer.WrittenSpan));
    }
}
