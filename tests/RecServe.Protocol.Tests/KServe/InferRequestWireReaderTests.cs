using System.Runtime.InteropServices;
using Google.Protobuf;
using Inference;
using RecServe.Core.Tensors;
using RecServe.Protocol.KServe;
using static RecServe.Protocol.Tests.KServe.KServeTestSupport;

namespace RecServe.Protocol.Tests.KServe;

/// <summary>
/// Reading a KServe v2 ModelInfer request straight from its wire bytes gives what Google.Protobuf's parse plus
/// <see cref="InferRequestDecoder"/> give, and leaves every request it does not take (with the buffers cleared) to them.
/// </summary>
public sealed class InferRequestWireReaderTests
{
    private static ModelInferRequest Typical()
    {
        var request = new ModelInferRequest { ModelName = "dlrm", ModelVersion = "3", Id = "req-1" };
        request.Inputs.Add(Input("dense", "FP32", 2, 2));
        request.RawInputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes<float>([1f, -2f, 3.5f, 4f])));
        request.Inputs.Add(Input("ids", "INT64", 2, 1));
        request.RawInputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes<long>([long.MinValue, 7L])));
        request.Inputs.Add(Input("flags", "BOOL", 2));
        request.RawInputContents.Add(ByteString.CopyFrom([1, 0]));
        request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "probability" });
        return request;
    }

    private static WireInferRequest? Read(byte[] bytes, InputTensorBuffers into)
    {
        Assert.Equal(InferRequestWireReader.TryRead(bytes, into, out var read), read is not null);
        return read;
    }

    private static void AssertSameAsGeneralPath(byte[] bytes, WireInferRequest read, InputTensorBuffers into)
    {
        var message = ModelInferRequest.Parser.ParseFrom(bytes);
        Assert.Equal(message.ModelName, read.ModelName);
        Assert.Equal(message.ModelVersion, read.ModelVersion);
        Assert.Equal(message.Id, read.Id);
        Assert.Equal(InferRequestDecoder.OutputNames(message), read.OutputNames);
        using var expected = new InputTensorBuffers();
        Assert.True(InferRequestDecoder.DecodeInto(message, expected));
        DecodedInputsAssert.Same(expected.Inputs, into);
    }

    [Fact]
    public void ATypicalRequestIsReadAsTheGeneralPathReadsIt()
    {
        var bytes = Typical().ToByteArray();
        using var into = new InputTensorBuffers();

        var read = Read(bytes, into);

        Assert.NotNull(read);
        Assert.Equal("req-1", read.Id);
        Assert.Equal(["probability"], read.OutputNames);
        AssertSameAsGeneralPath(bytes, read, into);
    }

    public static TheoryData<string, Func<ModelInferRequest>> NotTaken() => new()
    {
        { "typed contents", () => { var r = new ModelInferRequest { ModelName = "m" }; var x = Input("x", "FP32", 1); x.Contents = new InferTensorContents { Fp32Contents = { 1f } }; r.Inputs.Add(x); return r; } },
        { "bytes", () => { var r = new ModelInferRequest { ModelName = "m" }; r.Inputs.Add(Input("s", "BYTES", 1)); r.RawInputContents.Add(LengthPrefixed("a")); return r; } },
        { "no model name", () => { var r = Typical(); r.ModelName = ""; return r; } },
        { "fewer raw entries than inputs", () => { var r = Typical(); r.RawInputContents.RemoveAt(2); return r; } },
        { "raw shorter than the shape", () => { var r = Typical(); r.RawInputContents[0] = ByteString.CopyFrom(new byte[4]); return r; } },
        { "negative dimension", () => { var r = Typical(); r.Inputs[0].Shape[0] = -1; return r; } },
        { "unknown datatype", () => { var r = Typical(); r.Inputs[0].Datatype = "FP8"; return r; } },
        { "an input twice", () => { var r = Typical(); r.Inputs[1].Name = "dense"; r.Inputs[1].Datatype = "FP32"; r.Inputs[1].Shape[1] = 2; return r; } },
        { "request parameters", () => { var r = Typical(); r.Parameters["p"] = new InferParameter { BoolParam = true }; return r; } },
        { "output without a name", () => { var r = Typical(); r.Outputs[0].Name = ""; return r; } },
        { "no inputs", () => new ModelInferRequest { ModelName = "m" } },
    };

    [Theory]
    [MemberData(nameof(NotTaken))]
    public void ARequestItDoesNotTakeIsLeftWithTheBuffersCleared(string what, Func<ModelInferRequest> request)
    {
        using var into = new InputTensorBuffers();
        Assert.True(Read(request().ToByteArray(), into) is null, what);
        Assert.Equal(0, into.Count);
    }

    [Fact]
    public void AShapeSentUnpackedIsReadAsGoogleProtobufReadsIt()
    {
        // Field 5 (inputs) holding: name "x", datatype "FP32", shape 2 as an unpacked varint (tag 3 << 3 | 0).
        byte[] input = [0x0A, 0x01, (byte)'x', 0x12, 0x04, (byte)'F', (byte)'P', (byte)'3', (byte)'2', 0x18, 0x02];
        var raw = MemoryMarshal.AsBytes<float>([5f, 6f]).ToArray();
        byte[] bytes = [0x0A, 0x01, (byte)'m', 0x2A, (byte)input.Length, .. input, 0x3A, (byte)raw.Length, .. raw];
        using var into = new InputTensorBuffers();

        var read = Read(bytes, into);

        Assert.NotNull(read);
        AssertSameAsGeneralPath(bytes, read, into);
    }

    [Fact]
    public void EveryCutAndRandomDamageIsEitherLeftOrReadAsTheGeneralPathReadsIt() =>
        DamagedMessages.EachIsLeftOrReadAlike(Typical().ToByteArray(), seed: 99, (message, into) =>
        {
            if (Read(message, into) is not { } read)
            {
                return false;
            }
            AssertSameAsGeneralPath(message, read, into);
            return true;
        });
}
