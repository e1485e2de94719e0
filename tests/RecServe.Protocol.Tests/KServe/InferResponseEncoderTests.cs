using System.Runtime.InteropServices;
using RecServe.Core.Tensors;
using RecServe.Protocol.KServe;

namespace RecServe.Protocol.Tests.KServe;

public sealed class InferResponseEncoderTests
{
    [Fact]
    public void RawResponseHasOneEntryPerOutputAndNoTypedContents()
    {
        using var y = Tensor.FromValues<float>(TensorDataType.Float32, [1, 2], [0.5f, 1]);
        using var ids = Tensor.FromValues<long>(TensorDataType.Int64, [1], [9]);

        var response = InferResponseEncoder.Encode("m", 4, "req", [new("y", y), new("ids", ids)], raw: true);

        Assert.Equal("m", response.ModelName);
        Assert.Equal("4", response.ModelVersion);
        Assert.Equal("req", response.Id);
        Assert.Equal(["y", "ids"], response.Outputs.Select(o => o.Name));
        Assert.Equal(["FP32", "INT64"], response.Outputs.Select(o => o.Datatype));
        Assert.Equal([1L, 2L], response.Outputs[0].Shape);
        Assert.All(response.Outputs, o => Assert.Null(o.Contents));
        Assert.Equal(2, response.RawOutputContents.Count);
        Assert.Equal([0.5f, 1f], MemoryMarshal.Cast<byte, float>(response.RawOutputContents[0].Span).ToArray());
        Assert.Equal([9L], MemoryMarshal.Cast<byte, long>(response.RawOutputContents[1].Span).ToArray());
    }

    [Fact]
    public void TypedResponseUsesContents()
    {
        using var flags = Tensor.FromValues<byte>(TensorDataType.Bool, [2], [1, 0]);

        var response = InferResponseEncoder.Encode("m", 1, null, [new("flags", flags)], raw: false);

        Assert.Empty(response.RawOutputContents);
        Assert.Equal("", response.Id);
        Assert.Equal([true, false], response.Outputs[0].Contents.BoolContents);
    }

    [Fact]
    public void Fp16OutputMakesTheWholeResponseRaw()
    {
        using var half = Tensor.FromValues<Half>(TensorDataType.Float16, [1], [(Half)2]);
        using var n = Tensor.FromValues<int>(TensorDataType.Int32, [1], [3]);

        var response = InferResponseEncoder.Encode("m", 1, null, [new("n", n), new("h", half)], raw: false);

        Assert.Equal(2, response.RawOutputContents.Count);
        Assert.All(response.Outputs, o => Assert.Null(o.Contents));
        Assert.Equal([(Half)2], MemoryMarshal.Cast<byte, Half>(response.RawOutputContents[1].Span).ToArray());
    }
}
