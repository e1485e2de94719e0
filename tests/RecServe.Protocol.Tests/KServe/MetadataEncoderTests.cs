using System.Buffers;
using System.Text;
using Inference;
using RecServe.Core.Signatures;
using RecServe.Core.Tensors;
using RecServe.Protocol.KServe;

namespace RecServe.Protocol.Tests.KServe;

public sealed class MetadataEncoderTests
{
    private static readonly ModelSignature Signature = new(
        [new TensorSpec("ids", TensorDataType.Int64, [-1, 3]), new TensorSpec("text", TensorDataType.String, null)],
        [new TensorSpec("score", TensorDataType.Float16, [-1])]);

    [Fact]
    public void ModelMetadataListsVersionsAndTensors()
    {
        var metadata = ModelMetadataEncoder.Encode("m", [1, 3], "onnxruntime_onnx", Signature);

        Assert.Equal(["1", "3"], metadata.Versions);
        Assert.Equal("onnxruntime_onnx", metadata.Platform);
        Assert.Equal("INT64", metadata.Inputs[0].Datatype);
        Assert.Equal([-1L, 3L], metadata.Inputs[0].Shape);
        Assert.Empty(metadata.Inputs[1].Shape);
        Assert.Equal("FP16", metadata.Outputs[0].Datatype);
    }

    [Fact]
    public void ModelMetadataJsonHasNumericShapes()
    {
        var buffer = new ArrayBufferWriter<byte>();
        MetadataJsonWriter.WriteModelMetadata(buffer, ModelMetadataEncoder.Encode("m", [2], "onnxruntime_onnx", Signature));

        Assert.Equal(
            """{"name":"m","versions":["2"],"platform":"onnxruntime_onnx","inputs":[{"name":"ids","datatype":"INT64","shape":[-1,3]},{"name":"text","datatype":"BYTES","shape":[]}],"outputs":[{"name":"score","datatype":"FP16","shape":[-1]}]}""",
            Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void ServerMetadataJsonListsExtensions()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var metadata = new ServerMetadataResponse { Name = "recserve", Version = "1.2.3" };
        metadata.Extensions.Add("x");
        MetadataJsonWriter.WriteServerMetadata(buffer, metadata);

        Assert.Equal("""{"name":"recserve","version":"1.2.3","extensions":["x"]}""", Encoding.UTF8.GetString(buffer.WrittenSpan));
    }
}
