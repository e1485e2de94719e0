using System.Buffers;
using System.Text;
using RecServe.Core.Errors;
using RecServe.Core.Signatures;
using RecServe.Core.Tensors;
using RecServe.Protocol.Json;
using static RecServe.Protocol.Tests.Json.JsonTestSupport;

namespace RecServe.Protocol.Tests.Json;

/// <summary>
/// REST bodies read into kept buffers (<see cref="PredictJsonRequestReader.ReadInto"/>) with pooled parser state:
/// the values a plain read gives, nothing allocated once warm, and plain reads unaffected by the pooling.
/// </summary>
public sealed class ReadIntoTests
{
    private static readonly ModelSignature Model = Signature(
        new TensorSpec("x", TensorDataType.Float32, [-1, 2]),
        new TensorSpec("ids", TensorDataType.Int64, [-1, -1]) { Sparse = new SparseIdsSpec("ids", 4) },
        new TensorSpec("s", TensorDataType.String, [-1]));

    private static readonly string[] Bodies =
    [
        """{"inputs": {"x": [[1.5, 2], [3, -4]], "ids": [7, 8, 9], "ids.lengths": [1, 2], "s": ["a", "bc"]}}""",
        """{"signature_name": "serving_default", "instances": [{"x": [1, 2], "ids": [5, 6], "s": "p"}, {"x": [3, 4], "ids": [7, -1], "s": "q"}]}""",
    ];

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void ReadIntoGivesWhatAPlainReadGives(int body)
    {
        var reader = new PredictJsonRequestReader();
        using var buffers = new InputTensorBuffers();
        var bytes = Encoding.UTF8.GetBytes(Bodies[body]);

        using var plain = reader.Read(bytes, Model);
        var header = reader.ReadInto(bytes, Model, buffers);

        Assert.Equal(plain.Format, header.Format);
        Assert.Equal(plain.SignatureName, header.SignatureName);
        Assert.Equal(plain.Inputs.Keys.Order(), buffers.Inputs.Keys.Order());
        foreach (var (name, tensor) in plain.Inputs)
        {
            var kept = buffers.Inputs[name];
            Assert.Equal(tensor.DataType, kept.DataType);
            Assert.Equal(tensor.Shape, kept.Shape);
            if (tensor.DataType == TensorDataType.String)
            {
                Assert.Equal(Texts(tensor), Texts(kept));
            }
            else
            {
                Assert.Equal(tensor.Bytes.ToArray(), kept.Bytes.ToArray());
            }
        }
        buffers.Clear();
    }

    [Fact]
    public void ASecondBodyLikeTheFirstAllocatesNothing()
    {
        var reader = new PredictJsonRequestReader();
        using var buffers = new InputTensorBuffers();
        var numbers = Signature(new TensorSpec("x", TensorDataType.Float32, [-1, 2]), new TensorSpec("ids", TensorDataType.Int64, [-1, 3]));
        var first = Encoding.UTF8.GetBytes("""{"inputs": {"x": [[1, 2], [3, 4]], "ids": [[1, 2, 3], [4, 5, 6]]}}""");
        var second = Encoding.UTF8.GetBytes("""{"inputs": {"x": [[5, 6], [7, 8]], "ids": [[9, 9, 9], [1, 1, 1]]}}""");
        for (var i = 0; i < 3; i++)
        {
            reader.ReadInto(first, numbers, buffers);
            buffers.Clear();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        reader.ReadInto(second, numbers, buffers);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal([5f, 6f, 7f, 8f], Values<float>(buffers.Inputs["x"]));
        Assert.Equal([9L, 9, 9, 1, 1, 1], Values<long>(buffers.Inputs["ids"]));
    }

    [Fact]
    public void APlainReadKeepsItsShapesWhileLaterBodiesAreRead()
    {
        var reader = new PredictJsonRequestReader();
        var numbers = Signature(new TensorSpec("x", TensorDataType.Float32, [-1, -1]));

        using var first = reader.Read(Encoding.UTF8.GetBytes("""{"inputs": {"x": [[1, 2, 3]]}}"""), numbers);
        using var second = reader.Read(Encoding.UTF8.GetBytes("""{"inputs": {"x": [[1], [2], [3]]}}"""), numbers);

        Assert.Equal([1L, 3L], first.Inputs["x"].Shape);
        Assert.Equal([3L, 1L], second.Inputs["x"].Shape);
    }

    [Fact]
    public void ABadBodyLeavesNothingBehindForTheNext()
    {
        var reader = new PredictJsonRequestReader();
        using var buffers = new InputTensorBuffers();
        var numbers = Signature(new TensorSpec("x", TensorDataType.Float32, [-1, 2]));

        var error = Assert.Throws<ServingException>(() => reader.ReadInto(Encoding.UTF8.GetBytes("""{"inputs": {"x": [[1, 2], [3]]}}"""), numbers, buffers));
        buffers.Clear();
        reader.ReadInto(Encoding.UTF8.GetBytes("""{"inputs": {"x": [[1, 2]]}}"""), numbers, buffers);

        Assert.Equal(ServingErrorCode.InvalidArgument, error.Code);
        Assert.Equal([1L, 2L], buffers.Inputs["x"].Shape);
        Assert.Equal([1f, 2f], Values<float>(buffers.Inputs["x"]));
    }

    [Fact]
    public void AResponseWriterReusedAcrossResponsesWritesEachWhole()
    {
        using var a = Floats([2], 1f, 2f);
        using var b = Floats([1], 3f);
        var first = new ArrayBufferWriter<byte>();
        var second = new ArrayBufferWriter<byte>();

        PredictJsonResponseWriter.Write(first, PredictJsonFormat.Columnar, [new NamedTensor("y", a)]);
        PredictJsonResponseWriter.Write(second, PredictJsonFormat.Row, [new NamedTensor("y", b)]);

        Assert.Equal("""{"outputs":[1.0,2.0]}""", Encoding.UTF8.GetString(first.WrittenSpan));
        Assert.Equal("""{"predictions":[3.0]}""", Encoding.UTF8.GetString(second.WrittenSpan));
    }
}
