using RecServe.Core.Tensors;
using static RecServe.Protocol.Tests.KServe.KServeTestSupport;

namespace RecServe.Protocol.Tests.KServe;

public sealed class InferJsonRequestReaderTests
{
    [Fact]
    public void FlatDataFillsTheDeclaredShape()
    {
        using var request = ReadJson("""{"id":"r1","inputs":[{"name":"x","shape":[2,3],"datatype":"FP32","data":[1,2,3,4,5,6.5]}]}""");

        var x = request.Inputs["x"];
        Assert.Equal("r1", request.Id);
        Assert.Equal([2L, 3L], x.Shape);
        Assert.Equal([1f, 2, 3, 4, 5, 6.5f], x.AsSpan<float>().ToArray());
        Assert.False(request.UsedRawContents);
        Assert.Empty(request.OutputNames);
    }

    [Fact]
    public void NestedDataIsReadRowMajor()
    {
        using var request = ReadJson("""{"inputs":[{"name":"ids","shape":[2,2],"datatype":"INT64","data":[[1,2],[3,4]]}]}""");

        Assert.Equal([1L, 2, 3, 4], request.Inputs["ids"].AsSpan<long>().ToArray());
    }

    [Fact]
    public void KeysMayComeInAnyOrder()
    {
        using var request = ReadJson("""{"inputs":[{"data":[true,false],"datatype":"BOOL","name":"flag","shape":[2]}],"outputs":[{"name":"b"},{"parameters":{"binary_data":false},"name":"a"}]}""");

        Assert.Equal([(byte)1, (byte)0], request.Inputs["flag"].AsSpan<byte>().ToArray());
        Assert.Equal(["b", "a"], request.OutputNames);
    }

    [Fact]
    public void EveryDatatypeReadsFromJsonValues()
    {
        using var request = ReadJson("""
            {"parameters":{"ignored":[1,{"x":2}]},"inputs":[
              {"name":"a","shape":[1],"datatype":"FP64","data":[0.1]},
              {"name":"b","shape":[1],"datatype":"FP16","data":[1.5]},
              {"name":"c","shape":[2],"datatype":"INT8","data":[-128,127]},
              {"name":"d","shape":[1],"datatype":"UINT8","data":[255]},
              {"name":"e","shape":[1],"datatype":"INT32","data":[-7]},
              {"name":"f","shape":[2],"datatype":"BYTES","data":["héllo",""]}
            ]}
            """);

        Assert.Equal([0.1], request.Inputs["a"].AsSpan<double>().ToArray());
        Assert.Equal([(Half)1.5], request.Inputs["b"].AsSpan<Half>().ToArray());
        Assert.Equal([(sbyte)-128, (sbyte)127], request.Inputs["c"].AsSpan<sbyte>().ToArray());
        Assert.Equal([(byte)255], request.Inputs["d"].AsSpan<byte>().ToArray());
        Assert.Equal([-7], request.Inputs["e"].AsSpan<int>().ToArray());
        Assert.Equal(["héllo", ""], Texts(request.Inputs["f"]));
        Assert.Equal(TensorDataType.String, request.Inputs["f"].DataType);
    }

    [Fact]
    public void EmptyTensorNeedsAnEmptyList()
    {
        using var request = ReadJson("""{"inputs":[{"name":"x","shape":[0,4],"datatype":"FP32","data":[]}]}""");

        Assert.Equal([0L, 4L], request.Inputs["x"].Shape);
    }

    [Theory]
    [InlineData("""{"inputs":[{"name":"x","shape":[2,2],"datatype":"FP32","data":[1,2,3]}]}""", "input 'x' has 3 values in \"data\" but shape [2, 2] holds 4")]
    [InlineData("""{"inputs":[{"name":"x","shape":[2],"data":[1,2]}]}""", "input 'x' has no \"datatype\"")]
    [InlineData("""{"inputs":[{"name":"x","datatype":"FP32","data":[1,2]}]}""", "input 'x' has no \"shape\"")]
    [InlineData("""{"inputs":[{"name":"x","shape":[2],"datatype":"FP32"}]}""", "input 'x' has no \"data\"")]
    [InlineData("""{"inputs":[{"shape":[2],"datatype":"FP32","data":[1,2]}]}""", "entry 0 of \"inputs\" has no \"name\"")]
    [InlineData("""{"inputs":[{"name":"x","shape":[2],"datatype":"FP32","data":[1,"a"]}]}""", "'inputs', input 'x': float32 values must be numbers")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1],"datatype":"INT32","data":[1.5]}]}""", "input 'x': the number 1.5 is not a whole number")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1],"datatype":"COMPLEX","data":[1]}]}""", "'COMPLEX', which is not a KServe v2 datatype")]
    [InlineData("""{"inputs":[{"name":"x","shape":[-1],"datatype":"FP32","data":[1]}]}""", "input 'x': \"shape\" must hold non-negative whole numbers")]
    [InlineData("""{"inputs":[{"name":"x","shape":[2],"datatype":"FP32","data":[[1],[2,3]]}]}""", "ragged nested list")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":[1]},{"name":"x","shape":[1],"datatype":"FP32","data":[1]}]}""", "input 'x' is given more than once")]
    [InlineData("""{"inputs":{"x":[1]}}""", "\"inputs\" must be a list of tensor objects")]
    [InlineData("""{"id":"a"}""", "request has no \"inputs\"")]
    [InlineData("""{"id":5,"inputs":[]}""", "\"id\" must be a string")]
    [InlineData("""{"inputs":[],"outputs":[{}]}""", "entry 0 of \"outputs\" has no \"name\"")]
    [InlineData("""{"inputs":[}""", "not valid JSON")]
    [InlineData("""{"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":["\ud800"]}]}""", "invalid text")]
    [InlineData("""[1]""", "must be a JSON object")]
    [InlineData("""  """, "request body is empty")]
    public void MalformedRequestsSayWhatIsWrong(string json, string expected)
    {
        Assert.Contains(expected, ReadJsonError(json));
    }

    [Fact]
    public void DeferredDataIsCheckedAgainstTheShapeThatFollows()
    {
        Assert.Contains("has 2 values in \"data\" but shape [3] holds 3", ReadJsonError("""{"inputs":[{"name":"x","data":[1,2],"datatype":"INT64","shape":[3]}]}"""));
    }
}
