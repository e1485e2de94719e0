using System.Runtime.InteropServices;
using Google.Protobuf;
using Inference;
using RecServe.Core.Tensors;
using RecServe.Protocol.KServe;
using static RecServe.Protocol.Tests.KServe.KServeTestSupport;

namespace RecServe.Protocol.Tests.KServe;

public sealed class InferRequestDecoderTests
{
    private static ModelInferRequest RawRequest()
    {
        var request = new ModelInferRequest { ModelName = "m", Id = "req-1" };
        request.Inputs.Add(Input("x", "FP32", 1, 2));
        request.Inputs.Add(Input("s", "BYTES", 2));
        request.RawInputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes<float>([1f, 2f])));
        request.RawInputContents.Add(LengthPrefixed("a", "bc"));
        return request;
    }

    [Fact]
    public void RawInputsDecodeInOrderAndSayRaw()
    {
        using var decoded = InferRequestDecoder.Decode(RawRequest());

        Assert.True(decoded.UsedRawContents);
        Assert.Equal("req-1", decoded.Id);
        Assert.Equal([1f, 2f], decoded.Inputs["x"].AsSpan<float>().ToArray());
        Assert.Equal([1L, 2L], decoded.Inputs["x"].Shape);
        Assert.Equal(["a", "bc"], Texts(decoded.Inputs["s"]));
    }

    [Fact]
    public void TypedInputsDecodeAndSayTyped()
    {
        var request = new ModelInferRequest { ModelName = "m" };
        var input = Input("ids", "INT64", 3);
        input.Contents = new InferTensorContents();
        input.Contents.Int64Contents.Add([4L, 5, 6]);
        request.Inputs.Add(input);
        request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "y" });

        using var decoded = InferRequestDecoder.Decode(request);

        Assert.False(decoded.UsedRawContents);
        Assert.Equal([4L, 5L, 6L], decoded.Inputs["ids"].AsSpan<long>().ToArray());
        Assert.Equal(["y"], decoded.OutputNames);
    }

    [Fact]
    public void RawEntryCountMustEqualInputCount()
    {
        var request = RawRequest();
        request.RawInputContents.RemoveAt(1);
        Assert.Contains("raw_input_contents has 1 entries but the request has 2 inputs", InvalidArgument(() => InferRequestDecoder.Decode(request)));
    }

    [Fact]
    public void RawAndTypedContentsCannotBeMixed()
    {
        var request = RawRequest();
        request.Inputs[1].Contents = new InferTensorContents();
        Assert.Contains("input 's' has typed contents although the request uses raw_input_contents", InvalidArgument(() => InferRequestDecoder.Decode(request)));
    }

    [Fact]
    public void DuplicateInputNamesAreRefused()
    {
        var request = RawRequest();
        request.Inputs[1] = Input("x", "FP32", 2);
        request.RawInputContents[1] = ByteString.CopyFrom(new byte[8]);
        Assert.Contains("input 'x' is given more than once", InvalidArgument(() => InferRequestDecoder.Decode(request)));
    }

    [Fact]
    public void NegativeDimensionIsRefused()
    {
        var request = RawRequest();
        request.Inputs[0].Shape[0] = -1;
        Assert.Contains("dimension 0 is negative", InvalidArgument(() => InferRequestDecoder.Decode(request)));
    }

    [Fact]
    public void HugeShapeIsRefusedBeforeAllocating()
    {
        var request = RawRequest();
        request.Inputs[0].Shape[0] = 1L << 40;
        Assert.Contains("more elements than one tensor may hold", InvalidArgument(() => InferRequestDecoder.Decode(request)));
    }

    [Fact]
    public void UnnamedInputOrOutputIsRefused()
    {
        var request = RawRequest();
        request.Inputs[0].Name = "";
        Assert.Contains("input 0 has no name", InvalidArgument(() => InferRequestDecoder.Decode(request)));

        request = RawRequest();
        request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor());
        Assert.Contains("requested output 0 has no name", InvalidArgument(() => InferRequestDecoder.Decode(request)));
    }
}
