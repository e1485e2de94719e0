using System.Text;
using RecServe.Core.Errors;
using RecServe.Core.Signatures;
using RecServe.Core.Tensors;
using RecServe.Protocol.Json;
using static RecServe.Protocol.Tests.Json.JsonTestSupport;

namespace RecServe.Protocol.Tests.Json;

/// <summary>The request's top level: body, keys, signature resolution and the depth limit.</summary>
public sealed class RequestEnvelopeTests
{
    private static readonly ModelSignature FloatInput = Single(TensorDataType.Float32);

    [Theory]
    [InlineData("")]
    [InlineData("  \r\n\t ")]
    public void RejectsEmptyBody(string body)
    {
        var error = ReadError(body, FloatInput);

        Assert.Contains("request body is empty", error.Message);
    }

    [Theory]
    [InlineData("{\"instances\": [1, 2")]
    [InlineData("{instances: [1]}")]
    [InlineData("{\"instances\": [1,]}")]
    [InlineData("{\"inputs\": 1} trailing")]
    [InlineData("{\"inputs\": 1}{}")]
    [InlineData("{\"inputs\": 1 /* comment */}")]
    public void RejectsInvalidJson(string body)
    {
        var error = ReadError(body, FloatInput);

        Assert.StartsWith("request body is not valid JSON", error.Message);
    }

    // Found by the fuzz suite: a lone surrogate escape made Utf8JsonReader throw InvalidOperationException (HTTP 500).
    [Theory]
    [InlineData("{\"instances\": [\"\\ud800\"]}")]
    [InlineData("{\"inputs\": {\"x\": [1, \"\\udc00\"]}}")]
    public void RejectsLoneSurrogateEscapesAsInvalidArgument(string body)
    {
        var error = ReadError(body, FloatInput);

        Assert.Equal(ServingErrorCode.InvalidArgument, error.Code);
    }

    [Theory]
    [InlineData("[1, 2]", "a list")]
    [InlineData("\"instances\"", "the string \"instances\"")]
    [InlineData("42", "the number 42")]
    [InlineData("null", "null")]
    public void RejectsTopLevelThatIsNotAnObject(string body, string described)
    {
        var error = ReadError(body, FloatInput);

        Assert.Equal($"request body must be a JSON object with \"instances\" or \"inputs\", got {described}", error.Message);
    }

    [Theory]
    [InlineData("{\"instances\": [1], \"inputs\": [1]}")]
    [InlineData("{\"inputs\": [1], \"instances\": [1]}")]
    [InlineData("{\"inputs\": [1], \"inputs\": [2]}")]
    public void RejectsBothInstancesAndInputs(string body)
    {
        var error = ReadError(body, FloatInput);

        Assert.Contains("exactly one of \"instances\" (row format) and \"inputs\" (columnar format)", error.Message);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"signature_name\": \"serving_default\", \"examples\": []}")]
    public void RejectsNeitherInstancesNorInputs(string body)
    {
        var error = ReadError(body, FloatInput);

        Assert.Equal("request must have \"instances\" (row format) or \"inputs\" (columnar format)", error.Message);
    }

    [Theory]
    [InlineData("{\"signature_name\": 1, \"inputs\": [1]}", "got the number 1")]
    [InlineData("{\"signature_name\": null, \"inputs\": [1]}", "got null")]
    public void RejectsSignatureNameThatIsNotAString(string body, string described)
    {
        var error = ReadError(body, FloatInput);

        Assert.Contains("\"signature_name\" must be a string, " + described, error.Message);
    }

    [Fact]
    public void IgnoresUnknownTopLevelKeys()
    {
        using var request = Read("""{"model_spec": {"name": "m", "deep": [[1]]}, "inputs": [1.5], "extra": null}""", FloatInput);

        Assert.Equal([1.5f], Values<float>(request.Inputs["x"]));
    }

    [Fact]
    public void AcceptsNestingUpToTheLimit()
    {
        // Depth 4: the top-level object and three lists.
        using var request = Read("""{"inputs": [[[1]]]}""", FloatInput, maxDepth: 4);

        Assert.Equal([1L, 1L, 1L], request.Inputs["x"].Shape);
    }

    [Theory]
    [InlineData("{\"inputs\": [[[[1]]]]}")]
    [InlineData("{\"instances\": [[[[1]]]]}")]
    [InlineData("{\"ignored\": [[[{}]]], \"inputs\": [1]}")]
    [InlineData("{\"inputs\": {\"ignored\": [[[1]]], \"x\": [1]}}")]
    public void RejectsNestingBeyondTheLimit(string body)
    {
        var error = ReadError(body, FloatInput, maxDepth: 4);

        Assert.Equal("request JSON is nested more than 4 levels deep, the most this server accepts (--max_json_depth)", error.Message);
    }

    [Fact]
    public void DefaultDepthLimitIs64()
    {
        var fits = "{\"inputs\": " + new string('[', 63) + "1" + new string(']', 63) + "}";
        var tooDeep = "{\"inputs\": " + new string('[', 64) + "1" + new string(']', 64) + "}";

        using (var request = Read(fits, FloatInput))
        {
            Assert.Equal(63, request.Inputs["x"].Shape.Length);
        }
        Assert.Contains("nested more than 64 levels", ReadError(tooDeep, FloatInput).Message);
    }

    [Fact]
    public void RejectsDepthLimitBelowTwo()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PredictJsonRequestReader(1));
    }

    [Theory]
    [InlineData("{\"signature_name\": \"ints\", \"instances\": [1, 2]}")]
    [InlineData("{\"instances\": [1, 2], \"signature_name\": \"ints\"}")]
    public void ResolvesSignatureByNameWhereverTheNameComes(string body)
    {
        var asked = new List<string?>();
        var reader = new PredictJsonRequestReader();

        using var request = reader.Read(Encoding.UTF8.GetBytes(body), name =>
        {
            asked.Add(name);
            return name == "ints" ? Single(TensorDataType.Int64) : FloatInput;
        });

        Assert.Equal(["ints"], asked);
        Assert.Equal("ints", request.SignatureName);
        Assert.Equal(TensorDataType.Int64, request.Inputs["x"].DataType);
        Assert.Equal([1L, 2L], Values<long>(request.Inputs["x"]));
    }

    [Fact]
    public void ResolvesDefaultSignatureWithNullName()
    {
        string? asked = "not called";
        var reader = new PredictJsonRequestReader();

        using var request = reader.Read("""{"inputs": [0.5]}"""u8, name =>
        {
            asked = name;
            return FloatInput;
        });

        Assert.Null(asked);
        Assert.Equal([0.5f], Values<float>(request.Inputs["x"]));
    }

    [Fact]
    public void SignatureNamedAfterTheValuesStillTypesThem()
    {
        var reader = new PredictJsonRequestReader();

        var error = Assert.Throws<ServingException>(() => reader.Read(
            """{"instances": [1.5], "signature_name": "ints"}"""u8,
            name => name == "ints" ? Single(TensorDataType.Int64) : FloatInput).Dispose());

        Assert.Contains("the number 1.5 is not a whole number", error.Message);
    }

    [Fact]
    public void ResolverErrorsPassThrough()
    {
        var reader = new PredictJsonRequestReader();

        var error = Assert.Throws<ServingException>(() => reader.Read(
            """{"signature_name": "nope", "inputs": [1]}"""u8,
            name => throw ServingException.NotFound($"no signature '{name}'")).Dispose());

        Assert.Equal(ServingErrorCode.NotFound, error.Code);
    }

    [Fact]
    public void RejectsSignatureWithoutInputs()
    {
        var error = ReadError("""{"inputs": [1]}""", Signature());

        Assert.Contains("the signature has no inputs", error.Message);
    }
}
