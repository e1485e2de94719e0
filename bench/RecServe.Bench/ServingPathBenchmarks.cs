using System.Buffers;
using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using Inference;
using RecServe.Core.Tensors;
using RecServe.Import;
using RecServe.Protocol.Json;
using RecServe.Protocol.KServe;
using RecServe.Protocol.TensorProto;
using RecServe.Runtime;
using RecServe.Runtime.Onnx;
using Tensorflow.Serving;

namespace RecServe.Bench;

/// <summary>
/// One request through the server's own steps, without the network, split so that issue #5's number is unambiguous
/// (bytes allocated per request beyond the protobuf messages):
/// (a) <c>*Parse</c>: request bytes to the request message (Google.Protobuf's objects, allowed);
/// (b) <c>*DecodePredictEncode</c>: the parsed message decoded into kept input buffers, predicted, encoded into a
/// new response message: everything here is ours except the response message objects;
/// (b') <c>*ReusedResponse</c>: the same, encoding into a response kept from the last request, so what is left is
/// the one <c>ByteString</c> wrapper per output that a protobuf bytes field needs;
/// (c) <c>PredictOnly</c>: the model call alone (<c>PredictOnlyUnbound</c>: the same on the plain path, for the time ratio).
/// TF-Serving Predict (tensor_content) and KServe v2 ModelInfer (raw_input_contents), and TF-Serving REST
/// (<c>RestReadPredictWrite</c>: columnar JSON body to tensors, predict, JSON answer into a kept buffer; JSON has no
/// message objects, so all of it is ours); models: the example DLRM as plain ONNX and imported as a bundle; 256 rows,
/// 4 ids per row.
/// </summary>
[MemoryDiagnoser]
public class ServingPathBenchmarks
{
    private readonly string _scratch = Path.Combine(Path.GetTempPath(), $"recserve-servingpath-{Guid.NewGuid():N}");
    private readonly InputTensorBuffers _buffers = new();
    private IModel _model = null!;
    private IModel _unbound = null!;
    private ExampleRequest _request = null!;
    private byte[] _tfBytes = [];
    private PredictRequest _tf = null!;
    private byte[] _kserveBytes = [];
    private ModelInferRequest _kserve = null!;
    private Dictionary<string, Tensor> _decoded = null!;
    private readonly IReadOnlyList<string> _allOutputs = [];
    private readonly ReusedResponses _reused = new();
    private readonly PredictJsonRequestReader _jsonReader = new();
    private readonly ArrayBufferWriter<byte> _jsonAnswer = new(1 << 16);
    private byte[] _jsonBody = [];
    private readonly InferJsonRequestReader _kserveJsonReader = new();
    private byte[] _kserveJsonBody = [];

    /// <summary>The example model as plain ONNX or imported as a bundle.</summary>
    [Params("onnx", "bundle")]
    public string Format { get; set; } = "onnx";

    /// <summary>Loads the model and encodes one request of 256 rows in both protocols.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var root = FindRoot();
        var version = Path.Combine(root, "examples", "models", "dlrm", "1");
        if (Format == "bundle")
        {
            var bundle = Path.Combine(_scratch, "1");
            BundleImporter.Import(Path.Combine(version, "model.onnx"), bundle, new ImportOptions());
            version = bundle;
        }
        _model = ModelLoader.Load(version, new OnnxModelOptions { IntraOpThreads = 1 });
        _unbound = ModelLoader.Load(version, new OnnxModelOptions { IntraOpThreads = 1, BindOutputs = false });
        _request = ExampleRequest.Create();
        _tfBytes = _request.TfBytes;
        _kserveBytes = _request.KServeBytes;
        _tf = _request.Tf;
        _kserve = _request.KServe;
        _decoded = _request.Inputs;
        _jsonBody = _request.TfJson;
        _kserveJsonBody = _request.KServeJson;
    }

    /// <summary>(a) TF-Serving request bytes to the message.</summary>
    [Benchmark]
    public int TfParse() => PredictRequest.Parser.ParseFrom(_tfBytes).Inputs.Count;

    /// <summary>(b) Decode the parsed TF-Serving message, predict, encode a new response.</summary>
    [Benchmark]
    public int TfDecodePredictEncode()
    {
        try
        {
            TensorProtoDecoder.DecodeAllInto(_tf.Inputs, _model.Signature.Inputs, TensorProtoDecoder.DefaultMaxElements, _buffers);
            using var outputs = _model.Predict(_buffers.Inputs, _allOutputs);
            var response = new PredictResponse { ModelSpec = _tf.ModelSpec };
            for (var i = 0; i < outputs.Items.Count; i++)
            {
                var (name, tensor) = outputs.Items[i];
                response.Outputs[name] = TensorProtoEncoder.Encode(tensor, TensorEncoding.TensorContent);
            }
            return response.CalculateSize();
        }
        finally
        {
            _buffers.Clear();
        }
    }

    /// <summary>(b') As (b), encoding into the response of the last request.</summary>
    [Benchmark]
    public int TfDecodePredictEncodeReusedResponse()
    {
        try
        {
            TensorProtoDecoder.DecodeAllInto(_tf.Inputs, _model.Signature.Inputs, TensorProtoDecoder.DefaultMaxElements, _buffers);
            using var outputs = _model.Predict(_buffers.Inputs, _allOutputs);
            return _reused.Tf(_tf.ModelSpec, outputs).CalculateSize();
        }
        finally
        {
            _buffers.Clear();
        }
    }

    /// <summary>(a) KServe v2 request bytes to the message.</summary>
    [Benchmark]
    public int KServeParse() => ModelInferRequest.Parser.ParseFrom(_kserveBytes).Inputs.Count;

    /// <summary>(b) Decode the parsed KServe v2 message (raw contents), predict, encode a new response.</summary>
    [Benchmark]
    public int KServeDecodePredictEncode()
    {
        try
        {
            var raw = InferRequestDecoder.DecodeInto(_kserve, _buffers);
            using var outputs = _model.Predict(_buffers.Inputs, InferRequestDecoder.OutputNames(_kserve));
            return InferResponseEncoder.Encode(_kserve.ModelName, 1, _kserve.Id, outputs.Items, raw).CalculateSize();
        }
        finally
        {
            _buffers.Clear();
        }
    }

    /// <summary>(b') As (b), encoding into the response of the last request.</summary>
    [Benchmark]
    public int KServeDecodePredictEncodeReusedResponse()
    {
        try
        {
            InferRequestDecoder.DecodeInto(_kserve, _buffers);
            using var outputs = _model.Predict(_buffers.Inputs, InferRequestDecoder.OutputNames(_kserve));
            return _reused.KServe(_kserve.ModelName, outputs).CalculateSize();
        }
        finally
        {
            _buffers.Clear();
        }
    }

    /// <summary>TF-Serving REST: read the JSON body, predict, write the JSON answer into a kept buffer.</summary>
    [Benchmark]
    public int RestReadPredictWrite()
    {
        try
        {
            var header = _jsonReader.ReadInto(_jsonBody, _model.Signature, _buffers);
            using var outputs = _model.Predict(_buffers.Inputs, _allOutputs);
            _jsonAnswer.ResetWrittenCount();
            PredictJsonResponseWriter.Write(_jsonAnswer, header.Format, outputs.Items);
            return _jsonAnswer.WrittenCount;
        }
        finally
        {
            _buffers.Clear();
        }
    }

    /// <summary>KServe v2 REST: read the JSON body, predict, write the JSON answer into a kept buffer.</summary>
    [Benchmark]
    public int KServeRestReadPredictWrite()
    {
        try
        {
            var header = _kserveJsonReader.ReadInto(_kserveJsonBody, _model.Signature, _buffers);
            using var outputs = _model.Predict(_buffers.Inputs, header.OutputNames);
            _jsonAnswer.ResetWrittenCount();
            InferJsonResponseWriter.Write(_jsonAnswer, "dlrm", 1, header.EscapedId, header.IdUtf8(_kserveJsonBody), outputs.Items);
            return _jsonAnswer.WrittenCount;
        }
        finally
        {
            _buffers.Clear();
        }
    }

    /// <summary>(c) Only the model call, on inputs decoded once.</summary>
    [Benchmark]
    public int PredictOnly()
    {
        using var outputs = _model.Predict(_decoded, _allOutputs);
        return outputs.Items.Count;
    }

    /// <summary>(c) The model call on the plain path (outputs allocated by ONNX Runtime and copied out), for the time ratio.</summary>
    [Benchmark]
    public int PredictOnlyUnbound()
    {
        using var outputs = _unbound.Predict(_decoded, _allOutputs);
        return outputs.Items.Count;
    }

    /// <summary>Unloads the model and deletes the imported bundle.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _model.Dispose();
        _unbound.Dispose();
        _buffers.Dispose();
        _request.Dispose();
        if (Directory.Exists(_scratch))
        {
            Directory.Delete(_scratch, recursive: true);
        }
    }

    internal static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RecServe.slnx")))
            {
                return dir.FullName;
            }
        }
        return Directory.GetCurrentDirectory();
    }
}
