using RecServe.Core.Signatures;
using RecServe.Core.Tensors;
using RecServe.Protocol.Json;
using static RecServe.Protocol.Tests.Json.JsonTestSupport;

namespace RecServe.Protocol.Tests.Json;

public sealed class RowFormatReaderTests
{
    private static readonly ModelSignature TwoInputs = Signature(
        new TensorSpec("x", TensorDataType.Float32, [-1, 2]),
        new TensorSpec("ids", TensorDataType.Int64, [-1]));

    [Fact]
    public void BareRowsOfSingleInputStackOnNewBatchDimension()
    {
        using var request = Read("""{"instances": [[1, 2, 3], [4.5, 5, 6]]}""", Single(TensorDataType.Float32, [-1, 3]));

        Assert.Equal(PredictJsonFormat.Row, request.Format);
        Assert.Null(request.SignatureName);
        var x = Assert.Single(request.Inputs).Value;
        Assert.Equal([2L, 3L], x.Shape);
        Assert.Equal([1f, 2f, 3f, 4.5f, 5f, 6f], Values<float>(x));
    }

    [Fact]
    public void ScalarRowsGiveOneDimensionalBatch()
    {
        using var request = Read("""{"instances": [7, 8, 9]}""", Single(TensorDataType.Int64, [-1]));

        Assert.Equal([3L], request.Inputs["x"].Shape);
        Assert.Equal([7L, 8L, 9L], Values<long>(request.Inputs["x"]));
    }

    [Fact]
    public void SingleInputMayUseObjectRows()
    {
        using var request = Read("""{"instances": [{"x": [1, 2]}, {"x": [3, 4]}]}""", Single(TensorDataType.Int32, [-1, 2]));

        Assert.Equal([2L, 2L], request.Inputs["x"].Shape);
        Assert.Equal([1, 2, 3, 4], Values<int>(request.Inputs["x"]));
    }

    [Fact]
    public void ObjectRowsFillEveryInputWhateverTheKeyOrder()
    {
        using var request = Read(
            """{"instances": [{"x": [1, 2], "ids": 10}, {"ids": 20, "x": [3, 4]}, {"x": [5, 6], "ids": 30}]}""",
            TwoInputs);

        Assert.Equal(2, request.Inputs.Count);
        Assert.Equal([3L, 2L], request.Inputs["x"].Shape);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], Values<float>(request.Inputs["x"]));
        Assert.Equal([3L], request.Inputs["ids"].Shape);
        Assert.Equal([10L, 20L, 30L], Values<long>(request.Inputs["ids"]));
    }

    [Fact]
    public void ReportsSignatureName()
    {
        using var request = Read("""{"signature_name": "scores", "instances": [1]}""", Single(TensorDataType.Int32));

        Assert.Equal("scores", request.SignatureName);
    }

    [Fact]
    public void Base64RowsAreBareBytesValuesNotRowObjects()
    {
        using var request = Read("""{"instances": [{"b64": "aGk="}, {"b64": "eW8="}]}""", Single(TensorDataType.String, [-1]));

        Assert.Equal([2L], request.Inputs["x"].Shape);
        Assert.Equal(["hi", "yo"], Texts(request.Inputs["x"]));
    }

    [Fact]
    public void RejectsRowsOfDifferentShapes()
    {
        var error = ReadError("""{"instances": [[1, 2], [3, 4, 5]]}""", Single(TensorDataType.Float32));

        Assert.Contains("'instances' row 1, input 'x'", error.Message);
        Assert.Contains("[3] differs from the shape [2]", error.Message);
    }

    [Fact]
    public void RejectsRaggedNestingInsideARow()
    {
        var error = ReadError("""{"instances": [[[1, 2], [3]]]}""", Single(TensorDataType.Float32));

        Assert.Contains("'instances' row 0, input 'x': ragged nested list", error.Message);
    }

    [Fact]
    public void RejectsRowMissingAnInput()
    {
        var error = ReadError("""{"instances": [{"x": [1, 2], "ids": 1}, {"x": [3, 4]}]}""", TwoInputs);

        Assert.Contains("row 1 lacks input 'ids'", error.Message);
    }

    [Fact]
    public void RejectsFirstRowMissingAnInput()
    {
        var error = ReadError("""{"instances": [{"ids": 1}]}""", TwoInputs);

        Assert.Contains("row 0 lacks input 'x'", error.Message);
    }

    [Fact]
    public void RejectsUnknownKeyInRow()
    {
        var error = ReadError("""{"instances": [{"x": [1, 2], "ids": 1, "bogus": 3}]}""", TwoInputs);

        Assert.Contains("key 'bogus'", error.Message);
        Assert.Contains("inputs: x, ids", error.Message);
    }

    [Fact]
    public void RejectsInputGivenTwiceInRow()
    {
        var error = ReadError("""{"instances": [{"x": [1, 2], "ids": 1, "ids": 2}]}""", TwoInputs);

        Assert.Contains("gives input 'ids' more than once", error.Message);
    }

    [Fact]
    public void RejectsBareRowsWhenSignatureHasSeveralInputs()
    {
        var error = ReadError("""{"instances": [[1, 2]]}""", TwoInputs);

        Assert.Contains("bare values", error.Message);
        Assert.Contains("2 inputs (x, ids)", error.Message);
    }

    [Fact]
    public void RejectsObjectRowAfterBareRows()
    {
        var error = ReadError("""{"instances": [1, {"x": 2}]}""", Single(TensorDataType.Int32));

        Assert.Contains("row 1 is an object, but row 0 is a bare value", error.Message);
    }

    [Fact]
    public void RejectsBareRowAfterObjectRows()
    {
        var error = ReadError("""{"instances": [{"x": [1, 2], "ids": 1}, [1, 2]]}""", TwoInputs);

        Assert.Contains("row 1 is a list, but row 0 is an object", error.Message);
    }

    [Fact]
    public void RejectsEmptyInstances()
    {
        var error = ReadError("""{"instances": []}""", Single(TensorDataType.Int32));

        Assert.Contains("'instances' is an empty list", error.Message);
    }

    [Fact]
    public void RejectsInstancesThatIsNotAList()
    {
        var error = ReadError("""{"instances": {"x": 1}}""", Single(TensorDataType.Int32));

        Assert.Contains("'instances' must be a list of rows, got an object", error.Message);
    }

    [Fact]
    public void RejectsBatchThatDoesNotFitSignatureShape()
    {
        var error = ReadError("""{"instances": [[1, 2, 3]]}""", Single(TensorDataType.Float32, [-1, 2]));

        Assert.Contains("input 'x' has shape [1, 3] but the signature expects [-1, 2]", error.Message);
        Assert.Contains("number of rows", error.Message);
    }
}
