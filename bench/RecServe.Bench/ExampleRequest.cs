using System.Buffers;
using Google.Protobuf;
using Inference;
using RecServe.Core.Tensors;
using RecServe.Protocol.Json;
using RecServe.Protocol.KServe;
using RecServe.Protocol.TensorProto;
using Tensorflow.Serving;

namespace RecServe.Bench;

/// <summary>
/// One request to the example DLRM (256 rows, dense [256, 13] and four [256, 4] id inputs) in every form the server
/// takes: the tensors, TF-Serving Predict (tensor_content) and KServe v2 ModelInfer (raw_input_contents) as bytes and
/// as parsed messages, and the two REST bodies (TF-Serving columnar JSON; KServe v2 flat "data" with an "id").
/// </summary>
internal sealed class ExampleRequest : IDisposable
{
    public const int Rows = 256;

    private ExampleRequest(Dictionary<string, Tensor> inputs)
    {
        Inputs = inputs;
        var tf = new PredictRequest { ModelSpec = new ModelSpec { Name = "dlrm" } };
        var kserve = new ModelInferRequest { ModelName = "dlrm" };
        foreach (var (name, tensor) in inputs)
        {
            tf.Inputs[name] = TensorProtoEncoder.Encode(tensor, TensorEncoding.TensorContent);
            var input = new ModelInferRequest.Types.InferInputTensor { Name = name, Datatype = KServeDataType.Name(tensor.DataType) };
            input.Shape.Add(tensor.Shape);
            kserve.Inputs.Add(input);
            kserve.RawInputContents.Add(ByteString.CopyFrom(tensor.Bytes));
        }
        TfBytes = tf.ToByteArray();
        KServeBytes = kserve.ToByteArray();
        Tf = PredictRequest.Parser.ParseFrom(TfBytes);
        KServe = ModelInferRequest.Parser.ParseFrom(KServeBytes);
        var json = new ArrayBufferWriter<byte>();
        PredictJsonRequestWriter.Write(json, inputs);
        TfJson = json.WrittenSpan.ToArray();
        KServeJson = KServeJsonBody(inputs);
    }

    /// <summary>The input tensors by name (owned: disposed with this).</summary>
    public Dictionary<string, Tensor> Inputs { get; }

    public byte[] TfBytes { get; }

    public PredictRequest Tf { get; }

    public byte[] KServeBytes { get; }

    public ModelInferRequest KServe { get; }

    public byte[] TfJson { get; }

    public byte[] KServeJson { get; }

    /// <summary>The same request every time: seeded random dense values and ids within each table.</summary>
    public static ExampleRequest Create()
    {
        var random = new Random(1);
        var inputs = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var dense = Tensor.Allocate(TensorDataType.Float32, [Rows, 13]);
        foreach (ref var v in dense.AsSpan<float>())
        {
            v = (float)random.NextDouble();
        }
        inputs.Add("dense", dense);
        foreach (var (name, tableRows) in new[] { ("cat_0", 1000), ("cat_1", 500), ("cat_2", 200), ("cat_3", 100) })
        {
            var ids = Tensor.Allocate(TensorDataType.Int64, [Rows, 4]);
            foreach (ref var id in ids.AsSpan<long>())
            {
                id = random.Next(tableRows);
            }
            inputs.Add(name, ids);
        }
        return new ExampleRequest(inputs);
    }

    public void Dispose()
    {
        foreach (var tensor in Inputs.Values)
        {
            tensor.Dispose();
        }
    }

    // KServe v2 REST's body for the same inputs: flat "data", with an "id" to echo, as clients send it.
    private static byte[] KServeJsonBody(Dictionary<string, Tensor> inputs)
    {
        var body = new ArrayBufferWriter<byte>();
        using (var writer = new System.Text.Json.Utf8JsonWriter(body))
        {
            writer.WriteStartObject();
            writer.WriteString("id", "bench-1");
            writer.WriteStartArray("inputs");
            foreach (var (name, tensor) in inputs)
            {
                writer.WriteStartObject();
                writer.WriteString("name", name);
                writer.WriteString("datatype", KServeDataType.Name(tensor.DataType));
                writer.WriteStartArray("shape");
                foreach (var dim in tensor.Shape)
                {
                    writer.WriteNumberValue(dim);
                }
                writer.WriteEndArray();
                writer.WriteStartArray("data");
                if (tensor.DataType == TensorDataType.Float32)
                {
                    foreach (var v in tensor.AsSpan<float>())
                    {
                        writer.WriteNumberValue(v);
                    }
                }
                else
                {
                    foreach (var v in tensor.AsSpan<long>())
                    {
                        writer.WriteNumberValue(v);
                    }
                }
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return body.WrittenSpan.ToArray();
    }
}
