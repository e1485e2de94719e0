using Google.Protobuf;
using RecServe.Core.Tensors;
using RecServe.Protocol.TensorProto;
using Tensorflow;
using Tensorflow.Serving;
using Proto = Tensorflow.TensorProto;

namespace RecServe.Protocol.Tests.TensorProto;

/// <summary>
/// Reading a Predict request straight from its wire bytes gives what Google.Protobuf's parse plus
/// <see cref="TensorProtoDecoder"/> give, and leaves every request it does not take (with the buffers cleared) to them.
/// </summary>
public sealed class PredictRequestWireReaderTests
{
    private const long MaxElements = TensorProtoDecoder.DefaultMaxElements;

    private static PredictRequest Typical()
    {
        var request = new PredictRequest { ModelSpec = new ModelSpec { Name = "dlrm", Version = 7, SignatureName = "serving_default" } };
        request.Inputs["dense"] = ProtoTensors.Content(DataType.DtFloat, [2, 3], [1f, -2f, 3.5f, 4f, 5f, 6f]);
        request.Inputs["cat_0"] = ProtoTensors.Content(DataType.DtInt64, [2, 2], [1L, 2L, long.MaxValue, -4L]);
        request.Inputs["lengths"] = ProtoTensors.Content(DataType.DtInt32, [2], [1, 2]);
        request.Inputs["flags"] = ProtoTensors.Content(DataType.DtBool, [2], new byte[] { 1, 0 });
        request.Inputs["half"] = ProtoTensors.Content(DataType.DtHalf, [1], new ushort[] { 0x3C00 });
        request.OutputFilter.Add("probability");
        return request;
    }

    private static WirePredictRequest? Read(byte[] bytes, InputTensorBuffers into, long maxElements = MaxElements)
    {
        Assert.Equal(PredictRequestWireReader.TryRead(bytes, maxElements, into, out var read), read is not null);
        return read;
    }

    // What the general path makes of the same bytes.
    private static void AssertSameAsGeneralPath(byte[] bytes, WirePredictRequest read, InputTensorBuffers into)
    {
        var message = PredictRequest.Parser.ParseFrom(bytes);
        Assert.Equal(message.ModelSpec.Name, read.ModelName);
        Assert.Equal(message.ModelSpec.VersionChoiceCase == ModelSpec.VersionChoiceOneofCase.Version ? message.ModelSpec.Version : null, read.Version);
        Assert.Equal(message.ModelSpec.VersionChoiceCase == ModelSpec.VersionChoiceOneofCase.VersionLabel ? message.ModelSpec.VersionLabel : null, read.VersionLabel);
        Assert.Equal(message.ModelSpec.SignatureName, read.SignatureName);
        Assert.Equal(message.OutputFilter, read.OutputFilter);
        using var expected = new InputTensorBuffers();
        TensorProtoDecoder.DecodeAllInto(message.Inputs, [], MaxElements, expected);
        DecodedInputsAssert.Same(expected.Inputs, into);
    }

    [Fact]
    public void ATypicalRequestIsReadAsTheGeneralPathReadsIt()
    {
        var bytes = Typical().ToByteArray();
        using var into = new InputTensorBuffers();

        var read = Read(bytes, into);

        Assert.NotNull(read);
        Assert.Equal(7, read.Version);
        Assert.Equal(["probability"], read.OutputFilter);
        AssertSameAsGeneralPath(bytes, read, into);
    }

    [Fact]
    public void TheLastOfVersionAndVersionLabelIsTheChoice()
    {
        var label = new PredictRequest { ModelSpec = new ModelSpec { Name = "m", VersionLabel = "stable" } };
        label.Inputs["x"] = ProtoTensors.Content(DataType.DtFloat, [1], [1f]);
        var version = new PredictRequest { ModelSpec = new ModelSpec { Name = "m", Version = 3 } };
        // Both oneof members on the wire, label first: the version wins, as Google.Protobuf merges it.
        var both = label.ToByteArray().Concat(new PredictRequest { ModelSpec = version.ModelSpec }.ToByteArray()).ToArray();
        using var into = new InputTensorBuffers();

        var readLabel = Read(label.ToByteArray(), into);
        Assert.NotNull(readLabel);
        Assert.Equal("stable", readLabel.VersionLabel);
        Assert.Null(readLabel.Version);
        AssertSameAsGeneralPath(label.ToByteArray(), readLabel, into);
        into.Clear();

        // A second model_spec is merged by Google.Protobuf; the wire reader leaves that to it.
        Assert.Null(Read(both, into));
        Assert.Equal(3, PredictRequest.Parser.ParseFrom(both).ModelSpec.Version);
    }

    public static TheoryData<string, Func<PredictRequest>> NotTaken() => new()
    {
        { "typed float_val", () => { var r = Typical(); r.Inputs["dense"] = new Proto { Dtype = DataType.DtFloat, TensorShape = TensorProtoEncoder.EncodeShape([1]), FloatVal = { 1f } }; return r; } },
        { "strings", () => { var r = Typical(); r.Inputs["s"] = new Proto { Dtype = DataType.DtString, TensorShape = TensorProtoEncoder.EncodeShape([1]), StringVal = { ByteString.CopyFromUtf8("a") } }; return r; } },
        { "no model spec", () => { var r = Typical(); r.ModelSpec = null; return r; } },
        { "empty model name", () => { var r = Typical(); r.ModelSpec.Name = ""; return r; } },
        { "no inputs", () => new PredictRequest { ModelSpec = new ModelSpec { Name = "m" } } },
        { "content shorter than the shape", () => { var r = Typical(); r.Inputs["dense"] = ProtoTensors.Content(DataType.DtFloat, [2, 3], [1f, 2f]); return r; } },
        { "negative dimension", () => { var r = Typical(); r.Inputs["dense"] = ProtoTensors.Content(DataType.DtFloat, [-1], [1f]); return r; } },
        { "unknown rank", () => { var r = Typical(); r.Inputs["dense"].TensorShape.UnknownRank = true; return r; } },
        { "unsupported dtype", () => { var r = Typical(); r.Inputs["dense"].Dtype = DataType.DtComplex64; return r; } },
        { "empty tensor_content", () => { var r = Typical(); r.Inputs["dense"] = new Proto { Dtype = DataType.DtFloat, TensorShape = TensorProtoEncoder.EncodeShape([0]) }; return r; } },
        { "rank over eight", () => { var r = Typical(); r.Inputs["dense"] = ProtoTensors.Content(DataType.DtFloat, [1, 1, 1, 1, 1, 1, 1, 1, 1], [1f]); return r; } },
        { "empty input name", () => { var r = Typical(); r.Inputs[""] = ProtoTensors.Content(DataType.DtFloat, [1], [1f]); return r; } },
    };

    [Theory]
    [MemberData(nameof(NotTaken))]
    public void ARequestItDoesNotTakeIsLeftWithTheBuffersCleared(string what, Func<PredictRequest> request)
    {
        using var into = new InputTensorBuffers();
        Assert.True(Read(request().ToByteArray(), into) is null, what);
        Assert.Equal(0, into.Count);
    }

    [Fact]
    public void MoreElementsThanTheLimitAreLeftToTheGeneralPath()
    {
        var bytes = Typical().ToByteArray();
        using var into = new InputTensorBuffers();
        Assert.Null(Read(bytes, into, maxElements: 5)); // dense holds 6
        Assert.NotNull(Read(bytes, into, maxElements: 6));
    }

    [Fact]
    public void AnUnknownFieldOrARepeatedInputIsLeftToTheGeneralPath()
    {
        var typical = Typical().ToByteArray();
        var unknown = typical.Concat(new byte[] { 0x28, 0x01 }).ToArray(); // field 5, varint 1
        var again = new PredictRequest();
        again.Inputs["dense"] = ProtoTensors.Content(DataType.DtFloat, [1], [9f]);
        var repeated = typical.Concat(again.ToByteArray()).ToArray(); // a second "dense" entry: the last wins in Google.Protobuf
        using var into = new InputTensorBuffers();

        Assert.Null(Read(unknown, into));
        Assert.Null(Read(repeated, into));
        Assert.Equal([1L], PredictRequest.Parser.ParseFrom(repeated).Inputs["dense"].TensorShape.Dim.Select(d => d.Size));
    }

    [Fact]
    public void EveryCutAndRandomDamageIsEitherLeftOrReadAsTheGeneralPathReadsIt() =>
        DamagedMessages.EachIsLeftOrReadAlike(Typical().ToByteArray(), seed: 1234, (message, into) =>
        {
            if (Read(message, into) is not { } read)
            {
                return false;
            }
            AssertSameAsGeneralPath(message, read, into);
            return true;
        });

    [Fact]
    public void AStreamOfLikeRequestsReusesTheNameStrings()
    {
        var bytes = Typical().ToByteArray();
        using var into = new InputTensorBuffers();
        var first = Read(bytes, into)!;
        into.Clear();
        var second = Read(bytes, into)!;
        Assert.Same(first.ModelName, second.ModelName);
        Assert.Same(first.OutputFilter[0], second.OutputFilter[0]);
    }
}
