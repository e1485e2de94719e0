using System.Text.Json;
using Inference;
using RecServe.Cli.Bench.Targets;
using RecServe.Core.Signatures;
using RecServe.Core.Tensors;
using RecServe.Protocol.Json;
using RecServe.Protocol.Metadata;
using Tensorflow.Serving;

namespace RecServe.Cli.Tests.Bench.Targets;

/// <summary>Each target's pre-encoded requests are what the protocol's servers read back as the same tensors.</summary>
public sealed class RequestEncodingTests
{
    private static readonly ModelSignature Signature = new(
        [
            new TensorSpec("dense", TensorDataType.Float32, [-1, 3]),
            new TensorSpec("ids", TensorDataType.Int64, [-1, 2]),
        ],
        [new TensorSpec("score", TensorDataType.Float32, [-1, 1])]);

    private static TensorSet Request()
    {
        var set = new TensorSet();
        set.Add("dense", Tensor.FromValues<float>(TensorDataType.Float32, [2, 3], [0.5f, -1.25f, 3.0e-8f, 1, 2, float.Epsilon]));
        set.Add("ids", Tensor.FromValues<long>(TensorDataType.Int64, [2, 2], [0, 7, 123_456_789_012, -1]));
        return set;
    }

    [Fact]
    public void TfServingRestBodyReadsBackExactly()
    {
        using var request = Request();
        var body = TfServingRestTarget.Encode(request);
        using var parsed = new PredictJsonRequestReader().Read(body, Signature);

        Assert.Equal(PredictJsonFormat.Columnar, parsed.Format);
        foreach (var item in request.Items)
        {
            Assert.Equal(item.Tensor.Shape, parsed.Inputs[item.Name].Shape);
            Assert.True(item.Tensor.Bytes.SequenceEqual(parsed.Inputs[item.Name].Bytes), item.Name);
        }
    }

    [Fact]
    public void KServeRestBodyHasFlatDataWithShapeAndDatatype()
    {
        using var request = Request();
        using var body = JsonDocument.Parse(KServeRestTarget.Encode(request));
        var inputs = body.RootElement.GetProperty("inputs").EnumerateArray().ToList();

        Assert.Equal(["dense", "ids"], inputs.Select(i => i.GetProperty("name").GetString()));
        Assert.Equal(["FP32", "INT64"], inputs.Select(i => i.GetProperty("datatype").GetString()));
        Assert.Equal([2L, 3], inputs[0].GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        Assert.Equal([0.5f, -1.25f, 3.0e-8f, 1, 2, float.Epsilon], inputs[0].GetProperty("data").EnumerateArray().Select(v => v.GetSingle()));
        Assert.Equal([0L, 7, 123_456_789_012, -1], inputs[1].GetProperty("data").EnumerateArray().Select(v => v.GetInt64()));
    }

    [Fact]
    public void KServeGrpcRequestCarriesRawContentsInInputOrder()
    {
        using var request = Request();
        var message = ModelInferRequest.Parser.ParseFrom(KServeGrpcTarget.Encode(request, "m", "3"));

        Assert.Equal("m", message.ModelName);
        Assert.Equal("3", message.ModelVersion);
        Assert.Equal(["dense", "ids"], message.Inputs.Select(i => i.Name));
        Assert.Equal([2L, 2], message.Inputs[1].Shape);
        Assert.True(message.RawInputContents[1].Span.SequenceEqual(request.Find("ids")!.Bytes));
    }

    [Fact]
    public void TfServingGrpcRequestUsesTensorContent()
    {
        using var request = Request();
        var message = PredictRequest.Parser.ParseFrom(TfServingGrpcTarget.Encode(request, new ModelSpec { Name = "m" }));

        Assert.Equal("m", message.ModelSpec.Name);
        Assert.Null(message.ModelSpec.Version);
        Assert.True(message.Inputs["dense"].TensorContent.Span.SequenceEqual(request.Find("dense")!.Bytes));
    }

    [Fact]
    public void SignatureDefMetadataBecomesTheSameSignature()
    {
        var metadata = SignatureDefEncoder.EncodeMetadata("m", 1, Signature);
        var map = metadata.Metadata[SignatureDefEncoder.SignatureDefField].Unpack<SignatureDefMap>();
        var read = SignatureDefReader.Read(map, "m");

        Assert.Equal(Signature.Inputs, read.Inputs, SpecComparer.Instance);
        Assert.Equal(Signature.Outputs, read.Outputs, SpecComparer.Instance);
    }

    [Fact]
    public void KServeMetadataBecomesASignature()
    {
        var read = KServeDataTypes.Signature(
            [new KServeDataTypes.TensorMetadata("dense", "FP32", [-1, 3]), new KServeDataTypes.TensorMetadata("ids", "INT64", [-1, 2])],
            [new KServeDataTypes.TensorMetadata("score", "FP32", [-1, 1])]);
        Assert.Equal(Signature.Inputs, read.Inputs, SpecComparer.Instance);
        Assert.Throws<InvalidOperationException>(() => KServeDataTypes.Parse("BF16", "x"));
    }

    private sealed class SpecComparer : IEqualityComparer<TensorSpec>
    {
        public static readonly SpecComparer Instance = new();

        public bool Equals(TensorSpec? x, TensorSpec? y) =>
            x!.Name == y!.Name && x.DataType == y.DataType && (x.Shape ?? []).SequenceEqual(y.Shape ?? []);

        public int GetHashCode(TensorSpec obj) => obj.Name.GetHashCode(StringComparison.Ordinal);
    }
}
