using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using RecServe.Core.Tensors;
using RecServe.Import;
using RecServe.Protocol.TensorProto;
using RecServe.Runtime;
using RecServe.Runtime.Onnx;
using Tensorflow.Serving;

namespace RecServe.Bench;

/// <summary>
/// One TF-Serving Predict through the server's own steps, without the network: parse the request bytes, decode each
/// TensorProto, predict, encode the outputs and serialize the response. The memory diagnoser's column is what
/// issue #5 asks about (bytes allocated per request beyond the protobuf messages). Models: the example DLRM as plain
/// ONNX and imported as a bundle; 256 rows, 4 ids per row.
/// </summary>
[MemoryDiagnoser]
public class ServingPathBenchmarks
{
    private readonly string _scratch = Path.Combine(Path.GetTempPath(), $"recserve-servingpath-{Guid.NewGuid():N}");
    private IModel _model = null!;
    private byte[] _request = [];
    private Dictionary<string, Tensor>? _decoded;

    /// <summary>The example model as plain ONNX or imported as a bundle.</summary>
    [Params("onnx", "bundle")]
    public string Format { get; set; } = "onnx";

    /// <summary>Loads the model and encodes one request of 256 rows.</summary>
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
        var random = new Random(1);
        var request = new PredictRequest { ModelSpec = new ModelSpec { Name = "dlrm" } };
        using (var dense = Tensor.Allocate(TensorDataType.Float32, [256, 13]))
        {
            foreach (ref var v in dense.AsSpan<float>())
            {
                v = (float)random.NextDouble();
            }
            request.Inputs["dense"] = TensorProtoEncoder.Encode(dense, TensorEncoding.TensorContent);
        }
        foreach (var (name, rows) in new[] { ("cat_0", 1000), ("cat_1", 500), ("cat_2", 200), ("cat_3", 100) })
        {
            using var ids = Tensor.Allocate(TensorDataType.Int64, [256, 4]);
            foreach (ref var id in ids.AsSpan<long>())
            {
                id = random.Next(rows);
            }
            request.Inputs[name] = TensorProtoEncoder.Encode(ids, TensorEncoding.TensorContent);
        }
        _request = request.ToByteArray();
    }

    /// <summary>Parse, decode, predict, encode, serialize.</summary>
    [Benchmark]
    public int Predict()
    {
        var request = PredictRequest.Parser.ParseFrom(_request);
        var inputs = new Dictionary<string, Tensor>(request.Inputs.Count, StringComparer.Ordinal);
        try
        {
            foreach (var (name, proto) in request.Inputs)
            {
                inputs[name] = TensorProtoDecoder.Decode(name, proto);
            }
            using var outputs = _model.Predict(inputs, []);
            var response = new PredictResponse { ModelSpec = request.ModelSpec };
            foreach (var output in outputs.Items)
            {
                response.Outputs[output.Name] = TensorProtoEncoder.Encode(output.Tensor, TensorEncoding.TensorContent);
            }
            return response.CalculateSize();
        }
        finally
        {
            foreach (var tensor in inputs.Values)
            {
                tensor.Dispose();
            }
        }
    }

    /// <summary>Only the model call, on inputs decoded once: what the engine itself allocates.</summary>
    [Benchmark]
    public int PredictOnly()
    {
        using var outputs = _model.Predict(_decoded ??= Decode(), []);
        return outputs.Items.Count;
    }

    private Dictionary<string, Tensor> Decode()
    {
        var request = PredictRequest.Parser.ParseFrom(_request);
        return request.Inputs.ToDictionary(p => p.Key, p => TensorProtoDecoder.Decode(p.Key, p.Value), StringComparer.Ordinal);
    }

    /// <summary>Unloads the model and deletes the imported bundle.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _model.Dispose();
        if (Directory.Exists(_scratch))
        {
            Directory.Delete(_scratch, recursive: true);
        }
    }

    private static string FindRoot()
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
