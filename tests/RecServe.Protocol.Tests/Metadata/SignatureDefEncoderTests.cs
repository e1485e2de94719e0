using Google.Protobuf;
using RecServe.Core.Signatures;
using RecServe.Core.Tensors;
using RecServe.Protocol.Metadata;
using Tensorflow;
using Tensorflow.Serving;

namespace RecServe.Protocol.Tests.Metadata;

public sealed class SignatureDefEncoderTests
{
    private static readonly ModelSignature Signature = new(
        [
            new TensorSpec("features", TensorDataType.Float32, [-1, 4]),
            new TensorSpec("ids", TensorDataType.Int64, [-1, 3]),
            new TensorSpec("text", TensorDataType.String, [-1]),
        ],
        [
            new TensorSpec("score", TensorDataType.Float16, [-1, 1]),
            new TensorSpec("positive", TensorDataType.Bool, [-1]),
            new TensorSpec("anything", TensorDataType.Float64, null),
        ]);

    [Fact]
    public void EncodeMetadataPacksASignatureDefMap()
    {
        var response = SignatureDefEncoder.EncodeMetadata("dlrm", 7, Signature);

        Assert.Equal("dlrm", response.ModelSpec.Name);
        Assert.Equal(7, response.ModelSpec.Version);
        Assert.True(response.Metadata.ContainsKey("signature_def"));
        Assert.True(response.Metadata["signature_def"].TryUnpack<SignatureDefMap>(out var map));
        var def = Assert.Single(map.SignatureDef);
        Assert.Equal("serving_default", def.Key);
        Assert.Equal("tensorflow/serving/predict", def.Value.MethodName);
    }

    [Fact]
    public void EncodesDtypesAndDynamicDimensions()
    {
        var def = SignatureDefEncoder.Encode(Signature);

        Assert.Equal(["features", "ids", "text"], def.Inputs.Keys.Order());
        Assert.Equal(["anything", "positive", "score"], def.Outputs.Keys.Order());

        AssertInfo(def.Inputs["features"], "features", DataType.DtFloat, -1, 4);
        AssertInfo(def.Inputs["ids"], "ids", DataType.DtInt64, -1, 3);
        AssertInfo(def.Inputs["text"], "text", DataType.DtString, -1);
        AssertInfo(def.Outputs["score"], "score", DataType.DtHalf, -1, 1);
        AssertInfo(def.Outputs["positive"], "positive", DataType.DtBool, -1);
    }

    [Fact]
    public void UnknownShapeIsUnknownRank()
    {
        var info = SignatureDefEncoder.Encode(Signature).Outputs["anything"];

        Assert.Equal(DataType.DtDouble, info.Dtype);
        Assert.True(info.TensorShape.UnknownRank);
        Assert.Empty(info.TensorShape.Dim);
    }

    [Fact]
    public void MetadataSurvivesSerialization()
    {
        var bytes = SignatureDefEncoder.EncodeMetadata("m", 1, Signature).ToByteArray();

        var parsed = GetModelMetadataResponse.Parser.ParseFrom(bytes);
        var map = parsed.Metadata["signature_def"].Unpack<SignatureDefMap>();

        AssertInfo(map.SignatureDef["serving_default"].Inputs["ids"], "ids", DataType.DtInt64, -1, 3);
    }

    private static void AssertInfo(TensorInfo info, string name, DataType dtype, params long[] dims)
    {
        Assert.Equal(name, info.Name);
        Assert.Equal(dtype, info.Dtype);
        Assert.False(info.TensorShape.UnknownRank);
        Assert.Equal(dims, info.TensorShape.Dim.Select(d => d.Size));
    }
}
