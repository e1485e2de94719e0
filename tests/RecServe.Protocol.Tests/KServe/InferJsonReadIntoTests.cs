using System.Buffers;
using System.Text;
using RecServe.Core.Signatures;
using RecServe.Core.Tensors;
using RecServe.Protocol.KServe;
using static RecServe.Protocol.Tests.Json.JsonTestSupport;

namespace RecServe.Protocol.Tests.KServe;

/// <summary>
/// KServe v2 REST bodies read into kept buffers (<see cref="InferJsonRequestReader.ReadInto"/>) with pooled parser
/// state: each request gets its own values, the id is echoed from the body, and nothing is allocated once warm.
/// </summary>
public sealed class InferJsonReadIntoTests
{
    private static readonly ModelSignature Model = Signature(
        new TensorSpec("x", TensorDataType.Float32, [-1, 2]),
        new TensorSpec("ids", TensorDataType.Int64, [-1, 3]));

    private static byte[] Body(string id, float a, long b) => Encoding.UTF8.GetBytes(
        $$"""{"id":"{{id}}","inputs":[{"name":"x","datatype":"FP32","shape":[2,2],"data":[{{a}},2,3,4]},{"name":"ids","shape":[2,3],"data":[[{{b}},2,3],[4,5,6]],"datatype":"INT64"}]}""");

    [Fact]
    public void RequestsReadOneAfterAnotherEachGetTheirOwnValues()
    {
        var reader = new InferJsonRequestReader();
        using var buffers = new InputTensorBuffers();
        for (var i = 0; i < 4; i++)
        {
            var body = Body($"req-{i}", 10 * i, 100 + i);
            var header = reader.ReadInto(body, Model, buffers);

            Assert.Equal($"req-{i}", Encoding.UTF8.GetString(header.IdUtf8(body)));
            Assert.Null(header.EscapedId);
            Assert.Empty(header.OutputNames);
            Assert.Equal([10f * i, 2, 3, 4], Values<float>(buffers.Inputs["x"]));
            Assert.Equal([2L, 2], buffers.Inputs["x"].Shape);
            Assert.Equal([100L + i, 2, 3, 4, 5, 6], Values<long>(buffers.Inputs["ids"]));
            buffers.Clear();
        }
    }

    [Fact]
    public void ASecondBodyLikeTheFirstAllocatesNothing()
    {
        var reader = new InferJsonRequestReader();
        using var buffers = new InputTensorBuffers();
        var first = Body("a", 1, 1);
        var second = Body("b", 7, 9);
        for (var i = 0; i < 3; i++)
        {
            reader.ReadInto(first, Model, buffers);
            buffers.Clear();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var header = reader.ReadInto(second, Model, buffers);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal("b", Encoding.UTF8.GetString(header.IdUtf8(second)));
        Assert.Equal([7f, 2, 3, 4], Values<float>(buffers.Inputs["x"]));
        Assert.Equal([9L, 2, 3, 4, 5, 6], Values<long>(buffers.Inputs["ids"]));
    }

    [Fact]
    public void AnEscapedIdIsDecodedAndEchoedAsTheSameText()
    {
        var reader = new InferJsonRequestReader();
        using var buffers = new InputTensorBuffers();
        var body = Encoding.UTF8.GetBytes("""{"id":"a\"b\u00e9","inputs":[{"name":"x","datatype":"FP32","shape":[1,2],"data":[1,2]}]}""");

        var header = reader.ReadInto(body, Model, buffers);
        var answer = new ArrayBufferWriter<byte>();
        InferJsonResponseWriter.Write(answer, "m", 3, header.EscapedId, header.IdUtf8(body), []);

        Assert.Equal("a\"bé", header.EscapedId);
        using var echoed = System.Text.Json.JsonDocument.Parse(answer.WrittenMemory);
        Assert.Equal("a\"bé", echoed.RootElement.GetProperty("id").GetString());
    }

    [Fact]
    public void AnIdFromTheBodyIsWrittenAsTheWriterWritesAStringId()
    {
        var fromBody = new ArrayBufferWriter<byte>();
        var fromString = new ArrayBufferWriter<byte>();
        using var scores = Tensor.FromValues<float>(TensorDataType.Float32, [2], [0.25f, 0.5f]);
        NamedTensor[] outputs = [new NamedTensor("p", scores)];

        InferJsonResponseWriter.Write(fromBody, "m", 12, null, "req-7"u8, outputs);
        InferJsonResponseWriter.Write(fromString, "m", 12, "req-7", outputs);

        Assert.Equal(Encoding.UTF8.GetString(fromString.WrittenSpan), Encoding.UTF8.GetString(fromBody.WrittenSpan));
        Assert.StartsWith("""{"model_name":"m","model_version":"12","id":"req-7","outputs":""", Encoding.UTF8.GetString(fromBody.WrittenSpan), StringComparison.Ordinal);
    }

    [Fact]
    public void DataBeforeShapeAndTypeAndAnInputOutsideTheSignatureStillRead()
    {
        var reader = new InferJsonRequestReader();
        using var buffers = new InputTensorBuffers();
        var body = Encoding.UTF8.GetBytes("""{"inputs":[{"data":[5,6],"name":"extra","shape":[2],"datatype":"INT32"},{"name":"x","data":[[1,2]],"datatype":"FP32","shape":[1,2]}],"outputs":[{"name":"p"}]}""");

        var header = reader.ReadInto(body, Model, buffers);

        Assert.True(header.IdUtf8(body).IsEmpty);
        Assert.Equal(["p"], header.OutputNames);
        Assert.Equal([5, 6], Values<int>(buffers.Inputs["extra"]));
        Assert.Equal([1f, 2], Values<float>(buffers.Inputs["x"]));
    }

    [Fact]
    public void AnUnservedDatatypeBeforeTheNameIsRefusedNamingTheInput()
    {
        var reader = new InferJsonRequestReader();
        using var buffers = new InputTensorBuffers();
        var body = Encoding.UTF8.GetBytes("""{"inputs":[{"datatype":"BF16","name":"x","shape":[1,2],"data":[1,2]}]}""");

        var error = Assert.Throws<RecServe.Core.Errors.ServingException>(() => reader.ReadInto(body, Model, buffers));

        Assert.Contains("input 'x' has datatype BF16", error.Message, StringComparison.Ordinal);
        buffers.Clear();
    }
}
