using RecServe.Core.Signatures;
using RecServe.Core.Tensors;
using RecServe.Protocol.Json;
using static RecServe.Protocol.Tests.Json.JsonTestSupport;

namespace RecServe.Protocol.Tests.Json;

/// <summary>A bundle's sparse features in REST JSON: any rank of ids, and optional <c>{f}.lengths</c> in columnar requests.</summary>
public sealed class SparseFeatureJsonTests
{
    private static readonly ModelSignature Bundle = Signature(
        new TensorSpec("dense", TensorDataType.Float32, [-1, 2]),
        new TensorSpec("cat", TensorDataType.Int64, [-1, -1]) { Sparse = new SparseIdsSpec("cat", 4) });

    [Fact]
    public void ColumnarRaggedIdsComeWithTheirLengths()
    {
        using var request = Read("""{"inputs": {"dense": [[1, 2], [3, 4]], "cat": [5, 6, 7], "cat.lengths": [2, 1]}}""", Bundle);

        Assert.Equal([3L], request.Inputs["cat"].Shape);
        Assert.Equal([5L, 6L, 7L], Values<long>(request.Inputs["cat"]));
        Assert.Equal(TensorDataType.Int64, request.Inputs["cat.lengths"].DataType);
        Assert.Equal([2L, 1L], Values<long>(request.Inputs["cat.lengths"]));
    }

    [Fact]
    public void LengthsAreOptionalAndIdsMayBeOnePerRow()
    {
        using var request = Read("""{"inputs": {"dense": [[1, 2], [3, 4]], "cat": [5, 6]}}""", Bundle);

        Assert.Equal([2L], request.Inputs["cat"].Shape);
        Assert.False(request.Inputs.ContainsKey("cat.lengths"));
    }

    [Fact]
    public void RowsCarryPaddedOrSingleIds()
    {
        using var padded = Read("""{"instances": [{"dense": [1, 2], "cat": [5, -1]}, {"dense": [3, 4], "cat": [6, 7]}]}""", Bundle);
        using var single = Read("""{"instances": [{"dense": [1, 2], "cat": 5}, {"dense": [3, 4], "cat": 6}]}""", Bundle);

        Assert.Equal([2L, 2L], padded.Inputs["cat"].Shape);
        Assert.Equal([2L], single.Inputs["cat"].Shape);
    }

    [Fact]
    public void LengthsInRowsAreRefusedWithAHint()
    {
        var error = ReadError("""{"instances": [{"dense": [1, 2], "cat": [5], "cat.lengths": 1}]}""", Bundle);

        Assert.Contains("'cat.lengths'", error.Message);
        Assert.Contains("columnar", error.Message);
    }
}
