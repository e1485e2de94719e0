using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using Inference;
using RecServe.Core.Tensors;
using RecServe.Protocol.KServe;
using RecServe.Protocol.TensorProto;
using Tensorflow.Serving;

namespace RecServe.Bench;

/// <summary>
/// A request's bytes to input tensors, the two ways the server can: Google.Protobuf's parse then the decoder into kept
/// buffers (a ByteString copy of every tensor, then a second copy), against the wire reader (one copy, no message):
/// TF-Serving Predict (<see cref="PredictRequestWireReader"/>) and KServe v2 ModelInfer with raw contents
/// (<see cref="InferRequestWireReader"/>). The example model's request: 256 rows, dense [256, 13] and four [256, 4]
/// id inputs (45 KB).
/// </summary>
[MemoryDiagnoser]
public class WireReadBenchmarks
{
    private readonly InputTensorBuffers _buffers = new();
    private byte[] _bytes = [];
    private byte[] _kserveBytes = [];

    /// <summary>Encodes the request.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        var request = new PredictRequest { ModelSpec = new ModelSpec { Name = "dlrm" } };
        var kserve = new ModelInferRequest { ModelName = "dlrm" };
        using var dense = Tensor.Allocate(TensorDataType.Float32, [256, 13]);
        foreach (ref var v in dense.AsSpan<float>())
        {
            v = (float)random.NextDouble();
        }
        request.Inputs["dense"] = TensorProtoEncoder.Encode(dense, TensorEncoding.TensorContent);
        AddRaw(kserve, "dense", dense);
        foreach (var name in new[] { "cat_0", "cat_1", "cat_2", "cat_3" })
        {
            using var ids = Tensor.Allocate(TensorDataType.Int64, [256, 4]);
            foreach (ref var id in ids.AsSpan<long>())
            {
                id = random.Next(1000);
            }
            request.Inputs[name] = TensorProtoEncoder.Encode(ids, TensorEncoding.TensorContent);
            AddRaw(kserve, name, ids);
        }
        _bytes = request.ToByteArray();
        _kserveBytes = kserve.ToByteArray();
    }

    private static void AddRaw(ModelInferRequest request, string name, Tensor tensor)
    {
        var input = new ModelInferRequest.Types.InferInputTensor { Name = name, Datatype = KServeDataType.Name(tensor.DataType) };
        input.Shape.Add(tensor.Shape);
        request.Inputs.Add(input);
        request.RawInputContents.Add(ByteString.CopyFrom(tensor.Bytes));
    }

    /// <summary>Google.Protobuf's parse, then decode into kept buffers.</summary>
    [Benchmark(Baseline = true)]
    public int ParseThenDecode()
    {
        var request = PredictRequest.Parser.ParseFrom(_bytes);
        TensorProtoDecoder.DecodeAllInto(request.Inputs, [], TensorProtoDecoder.DefaultMaxElements, _buffers);
        var count = _buffers.Count;
        _buffers.Clear();
        return count;
    }

    /// <summary>The wire reader into the same kept buffers.</summary>
    [Benchmark]
    public int WireRead()
    {
        if (!PredictRequestWireReader.TryRead(_bytes, TensorProtoDecoder.DefaultMaxElements, _buffers, out _))
        {
            throw new InvalidOperationException("the wire reader must take the example request");
        }
        var count = _buffers.Count;
        _buffers.Clear();
        return count;
    }

    /// <summary>KServe v2: Google.Protobuf's parse, then decode into kept buffers.</summary>
    [Benchmark]
    public int KServeParseThenDecode()
    {
        InferRequestDecoder.DecodeInto(ModelInferRequest.Parser.ParseFrom(_kserveBytes), _buffers);
        var count = _buffers.Count;
        _buffers.Clear();
        return count;
    }

    /// <summary>KServe v2: the wire reader into the same kept buffers.</summary>
    [Benchmark]
    public int KServeWireRead()
    {
        if (!InferRequestWireReader.TryRead(_kserveBytes, _buffers, out _))
        {
            throw new InvalidOperationException("the wire reader must take the example request");
        }
        var count = _buffers.Count;
        _buffers.Clear();
        return count;
    }
}
