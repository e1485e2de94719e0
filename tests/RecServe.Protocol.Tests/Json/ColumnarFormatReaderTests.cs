using RecServe.Core.Signatures;
using RecServe.Core.Tensors;
using RecServe.Protocol.Json;
using static RecServe.Protocol.Tests.Json.JsonTestSupport;

namespace RecServe.Protocol.Tests.Json;

public sealed class ColumnarFormatReaderTests
{
    private static readonly ModelSignature TwoInputs = Signature(
        new TensorSpec("x", TensorDataType.Float32, [-1, 2]),
        new TensorSpec("ids", TensorDataType.Int64, [-1]));

    [Fact]
    public void BareValueFeedsTheSingleInputWithItsFullShape()
    {
        using var request = Read("""{"inputs": [[1, 2, 3], [4, 5, 6]]}""", Single(TensorDataType.Float32, [-1, 3]));

        Assert.Equal(PredictJsonFormat.Columnar, request.Format);
        Assert.Equal([2L, 3L], request.Inputs["x"].Shape);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], Values<float>(request.Inputs["x"]));
    }

    [Fact]
    public void ScalarValueGivesRankZeroTensor()
    {
        using var request = Read("""{"inputs": 5}""", Single(TensorDataType.Int32, []));

        Assert.Empty(request.Inputs["x"].Shape);
        Assert.Equal([5], Values<int>(request.Inputs["x"]));
    }

    [Fact]
    public void NamedValuesFeedEachInput()
    {
        using var request = Read("""{"inputs": {"ids": [7, 8, 9], "x": [[1, 2], [3, 4], [5, 6]]}}""", TwoInputs);

        Assert.Equal([3L, 2L], request.Inputs["x"].Shape);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], Values<float>(request.Inputs["x"]));
        Assert.Equal([3L], request.Inputs["ids"].Shape);
        Assert.Equal([7L, 8L, 9L], Values<long>(request.Inputs["ids"]));
    }

    [Fact]
    public void SingleInputMayBeNamed()
    {
        using var request = Read("""{"inputs": {"x": [[1, 2, 3]]}}""", Single(TensorDataType.Float64, [-1, 3]));

        Assert.Equal([1L, 3L], request.Inputs["x"].Shape);
        Assert.Equal([1d, 2d, 3d], Values<double>(request.Inputs["x"]));
    }

    [Fact]
    public void IgnoresKeysThatNameNoInputAsTfServingDoes()
    {
        using var request = Read("""{"inputs": {"extra": [[[1]], {"a": 2}], "x": [[1, 2]], "ids": [1]}}""", TwoInputs);

        Assert.Equal(2, request.Inputs.Count);
        Assert.False(request.Inputs.ContainsKey("extra"));
    }

    [Fact]
    public void SingleBase64ObjectIsAValueNotAMap()
    {
        using var request = Read("""{"inputs": {"b64": "AAEC"}}""", Single(TensorDataType.String));

        Assert.Empty(request.Inputs["x"].Shape);
        Assert.Equal([0, 1, 2], request.Inputs["x"].Strings[0]);
    }

    [Theory]
    [InlineData("[]", new long[] { 0 })]
    [InlineData("[[], []]", new long[] { 2, 0 })]
    [InlineData("[[[]], [[]]]", new long[] { 2, 1, 0 })]
    public void EmptyListsGiveZeroSizedDimensions(string value, long[] shape)
    {
        using var request = Read($$"""{"inputs": {{value}}}""", Single(TensorDataType.Float32));

        Assert.Equal(shape, request.Inputs["x"].Shape);
        Assert.Equal(0, request.Inputs["x"].ElementCount);
    }

    [Fact]
    public void RejectsMissingNamedInput()
    {
        var error = ReadError("""{"inputs": {"x": [[1, 2]]}}""", TwoInputs);

        Assert.Contains("'inputs' lacks input 'ids'", error.Message);
    }

    [Fact]
    public void RejectsBareValueWhenSignatureHasSeveralInputs()
    {
        var error = ReadError("""{"inputs": [[1, 2]]}""", TwoInputs);

        Assert.Contains("'inputs' is a bare value, but the signature has 2 inputs (x, ids)", error.Message);
    }

    [Fact]
    public void RejectsInputGivenTwice()
    {
        var error = ReadError("""{"inputs": {"ids": [1], "x": [[1, 2]], "ids": [2]}}""", TwoInputs);

        Assert.Contains("gives input 'ids' more than once", error.Message);
    }

    [Theory]
    [InlineData("[[1, 2], [3]]", "a list in dimension 1 has 1 elements but an earlier one has 2")]
    [InlineData("[[1], [2, 3]]", "a list in dimension 1 has 2 elements but an earlier one has 1")]
    [InlineData("[1, [2]]", "found a list nested 1 deep where other elements at that depth are values")]
    [InlineData("[[1], 2]", "found a value nested 1 deep where other values are nested 2 deep")]
    [InlineData("[[[1]], [[2], 3]]", "found a value nested 2 deep where other values are nested 3 deep")]
    [InlineData("[[], [1]]", "a list in dimension 1 has 1 elements but an earlier one has 0")]
    [InlineData("[[1], []]", "has 0 elements but an earlier one has 1")]
    public void RejectsRaggedListsNamingTheInput(string value, string detail)
    {
        var error = ReadError($$$"""{"inputs": {"ids": [1], "x": {{{value}}}}}""", TwoInputs);

        Assert.Contains("'inputs', input 'x': ragged nested list", error.Message);
        Assert.Contains(detail, error.Message);
    }

    [Fact]
    public void RejectsTensorThatDoesNotFitSignatureShape()
    {
        var error = ReadError("""{"inputs": {"x": [[1, 2, 3]], "ids": [1]}}""", TwoInputs);

        Assert.Contains("input 'x' has shape [1, 3] but the signature expects [-1, 2]", error.Message);
    }

    [Fact]
    public void RejectsWrongRankForSignature()
    {
        var error = ReadError("""{"inputs": [1, 2]}""", Single(TensorDataType.Float32, [-1, 2]));

        Assert.Contains("has shape [2] but the signature expects [-1, 2]", error.Message);
    }
}
