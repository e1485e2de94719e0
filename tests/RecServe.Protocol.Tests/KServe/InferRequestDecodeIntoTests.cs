using System.Runtime.InteropServices;
using Google.Protobuf;
using Inference;
using RecServe.Core.Errors;
using RecServe.Core.Tensors;
using RecServe.Protocol.KServe;
using static RecServe.Protocol.Tests.KServe.KServeTestSupport;

namespace RecServe.Protocol.Tests.KServe;

/// <summary>KServe v2 raw contents decoded into kept buffers: the values of a plain decode, no allocation once warm.</summary>
public sealed class InferRequestDecodeIntoTests
{
    private static ModelInferRequest Raw(float first)
    {
        var request = new ModelInferRequest { ModelName = "m" };
        request.Inputs.Add(Input("x", "FP32", 1, 2));
        request.Inputs.Add(Input("s", "BYTES", 2));
        request.RawInputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes<float>([first, 2f])));
        request.RawInputContents.Add(LengthPrefixed("a", "bc"));
        return request;
    }

    [Fact]
    public void RawInputsDecodeAsAPlainDecodeDoes()
    {
        using var buffers = new InputTensorBuffers();

        var raw = InferRequestDecoder.DecodeInto(Raw(1f), buffers);

        Assert.True(raw);
        Assert.Equal([1f, 2f], buffers.Inputs["x"].AsSpan<float>().ToArray());
        Assert.Equal([1L, 2L], buffers.Inputs["x"].Shape);
        Assert.Equal(["a", "bc"], Texts(buffers.Inputs["s"]));
        Assert.Empty(InferRequestDecoder.OutputNames(Raw(1f)));
    }

    [Fact]
    public void ARequestLikeTheLastAllocatesNothing()
    {
        using var buffers = new InputTensorBuffers();
        var first = new ModelInferRequest();
        first.Inputs.Add(Input("x", "FP32", 1, 2));
        first.RawInputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes<float>([1f, 2f])));
        var second = new ModelInferRequest();
        second.Inputs.Add(Input("x", "FP32", 1, 2));
        second.RawInputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes<float>([-3f, 4f])));
        InferRequestDecoder.DecodeInto(first, buffers);
        buffers.Clear();

        var before = GC.GetAllocatedBytesForCurrentThread();
        InferRequestDecoder.DecodeInto(second, buffers);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal([-3f, 4f], buffers.Inputs["x"].AsSpan<float>().ToArray());
    }

    [Fact]
    public void WrongLengthsAndRepeatedNamesAreRefused()
    {
        using var buffers = new InputTensorBuffers();
        var shortBytes = new ModelInferRequest();
        shortBytes.Inputs.Add(Input("x", "FP32", 1, 2));
        shortBytes.RawInputContents.Add(ByteString.CopyFrom(new byte[7]));
        var twice = Raw(1f);
        twice.Inputs[1] = Input("x", "FP32", 1, 2);
        twice.RawInputContents[1] = ByteString.CopyFrom(new byte[8]);

        var error = Assert.Throws<ServingException>(() => InferRequestDecoder.DecodeInto(shortBytes, buffers));
        buffers.Clear();
        var repeated = Assert.Throws<ServingException>(() => InferRequestDecoder.DecodeInto(twice, buffers));
        buffers.Clear();

        Assert.Contains("has 7 bytes", error.Message);
        Assert.Contains("more than once", repeated.Message);
        Assert.Equal(0, buffers.Count);
    }
}
