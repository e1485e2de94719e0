using RecServe.Core.Tensors;
using static RecServe.Protocol.Tests.KServe.KServeTestSupport;

namespace RecServe.Protocol.Tests.KServe;

public sealed class InferJsonResponseWriterTests
{
    [Fact]
    public void OutputsAreWrittenWithFlatData()
    {
        using var y = Tensor.FromValues<float>(TensorDataType.Float32, [2, 2], [1, 2.5f, -3, 4]);

        Assert.Equal(
            """{"model_name":"m","model_version":"3","id":"r7","outputs":[{"name":"y","datatype":"FP32","shape":[2,2],"data":[1.0,2.5,-3.0,4.0]}]}""",
            WriteJson("r7", ("y", y)));
    }

    [Fact]
    public void IdIsLeftOutWhenTheRequestHadNone()
    {
        using var n = Tensor.FromValues<long>(TensorDataType.Int64, [1], [5]);

        Assert.Equal("""{"model_name":"m","model_version":"3","outputs":[{"name":"n","datatype":"INT64","shape":[1],"data":[5]}]}""", WriteJson(null, ("n", n)));
    }

    [Fact]
    public void BoolHalfAndBytesHaveTheirJsonForms()
    {
        using var flags = Tensor.FromValues<byte>(TensorDataType.Bool, [2], [1, 0]);
        using var half = Tensor.FromValues<Half>(TensorDataType.Float16, [1], [(Half)0.5]);
        using var text = Tensor.FromStrings([2], [[(byte)'h', (byte)'i'], [0xff]]);

        var json = WriteJson(null, ("flags", flags), ("h", half), ("t", text));

        Assert.Contains("""{"name":"flags","datatype":"BOOL","shape":[2],"data":[true,false]}""", json);
        Assert.Contains("""{"name":"h","datatype":"FP16","shape":[1],"data":[0.5]}""", json);
        Assert.Contains("""{"name":"t","datatype":"BYTES","shape":[2],"data":["hi",{"b64":"/w=="}]}""", json);
    }

    [Fact]
    public void ScalarOutputWritesOneElementList()
    {
        using var scalar = Tensor.FromValues<int>(TensorDataType.Int32, [], [42]);

        Assert.Contains("""{"name":"s","datatype":"INT32","shape":[],"data":[42]}""", WriteJson(null, ("s", scalar)));
    }
}
