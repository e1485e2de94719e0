using BenchmarkDotNet.Attributes;
using RecServe.Core.Tensors;
using RecServe.Import;
using RecServe.Runtime;
using RecServe.Runtime.Batching;
using RecServe.Runtime.Onnx;

namespace RecServe.Bench;

/// <summary>
/// Issue #5 on the dynamic batching path: per operation, <see cref="Requests"/> batch-1 requests are queued at once on
/// a <see cref="BatchingModel"/> over the example DLRM, merged into one batch, run and split back; the memory
/// diagnoser's bytes are per request (<c>OperationsPerInvoke</c>). It counts every thread (the in-process diagnoser
/// reads a process-wide counter), so the scheduler's and the batch thread's allocations are in it.
/// </summary>
[MemoryDiagnoser]
public class BatchingBenchmarks
{
    /// <summary>Requests per batch, all queued before the first is awaited.</summary>
    public const int Requests = 16;

    private readonly string _scratch = Path.Combine(Path.GetTempPath(), $"recserve-batchingbench-{Guid.NewGuid():N}");
    private readonly Dictionary<string, Tensor>[] _inputs = new Dictionary<string, Tensor>[Requests];
    private readonly ValueTask<TensorSet>[] _pending = new ValueTask<TensorSet>[Requests];
    private BatchingModel _batching = null!;

    /// <summary>The example model as plain ONNX or imported as a bundle.</summary>
    [Params("onnx", "bundle")]
    public string Format { get; set; } = "onnx";

    /// <summary>Loads the model behind a batcher whose batch closes when all <see cref="Requests"/> rows are in.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var version = Path.Combine(ServingPathBenchmarks.FindRoot(), "examples", "models", "dlrm", "1");
        if (Format == "bundle")
        {
            var bundle = Path.Combine(_scratch, "1");
            BundleImporter.Import(Path.Combine(version, "model.onnx"), bundle, new ImportOptions());
            version = bundle;
        }
        var model = ModelLoader.Load(version, new OnnxModelOptions { IntraOpThreads = 1 });
        // A long timeout: the batch runs when it is full, never on the clock, so every batch holds all requests.
        _batching = new BatchingModel(model, new BatchingOptions { MaxBatchSize = Requests, BatchTimeoutMicros = 1_000_000, NumBatchThreads = 1 });
        var random = new Random(1);
        for (var r = 0; r < Requests; r++)
        {
            var dense = Tensor.Allocate(TensorDataType.Float32, [1, 13]);
            foreach (ref var v in dense.AsSpan<float>())
            {
                v = (float)random.NextDouble();
            }
            _inputs[r] = new Dictionary<string, Tensor>(StringComparer.Ordinal) { ["dense"] = dense };
            foreach (var (name, rows) in new[] { ("cat_0", 1000), ("cat_1", 500), ("cat_2", 200), ("cat_3", 100) })
            {
                var ids = Tensor.Allocate(TensorDataType.Int64, [1, 4]);
                foreach (ref var id in ids.AsSpan<long>())
                {
                    id = random.Next(rows);
                }
                _inputs[r][name] = ids;
            }
        }
    }

    /// <summary>
    /// <see cref="Requests"/> batch-1 requests queued together, awaited in order, results disposed. The one Task of the
    /// awaiting method is the benchmark's own, spread over the requests (a ValueTask may only be awaited, never blocked on).
    /// </summary>
    [Benchmark(OperationsPerInvoke = Requests)]
    public int BatchedRequests() => RunBatchAsync().GetAwaiter().GetResult();

    private async Task<int> RunBatchAsync()
    {
        for (var r = 0; r < Requests; r++)
        {
            _pending[r] = _batching.PredictAsync(_inputs[r], [], CancellationToken.None);
        }
        var outputs = 0;
        for (var r = 0; r < Requests; r++)
        {
            using var result = await _pending[r].ConfigureAwait(false);
            outputs += result.Items.Count;
        }
        return outputs;
    }

    /// <summary>Unloads the model and deletes the imported bundle.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _batching.Dispose();
        foreach (var inputs in _inputs)
        {
            foreach (var tensor in inputs.Values)
            {
                tensor.Dispose();
            }
        }
        if (Directory.Exists(_scratch))
        {
            Directory.Delete(_scratch, recursive: true);
        }
    }
}
