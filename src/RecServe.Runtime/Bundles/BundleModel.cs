using System.Buffers;
using RecServe.Core.Errors;
using RecServe.Core.Lifetime;
using RecServe.Core.Signatures;
using RecServe.Core.Tensors;
using RecServe.Runtime.Onnx;

namespace RecServe.Runtime.Bundles;

/// <summary>
/// A bundle version (docs/BUNDLE.md) served as one model: the sparse stage looks up and pools every sparse
/// feature's ids in its table, writing into tensors kept for the next call (<see cref="SparseStageBuffers"/>), and the dense stage runs the ONNX graph on those and
/// the dense inputs. Thread-safe; tables and the session are shared by all requests.
/// </summary>
public sealed partial class BundleModel : IModel, ITableMetricsSource
{
    private readonly DenseGraph _dense;
    private readonly ServedTable[] _tables;
    private readonly BundleFeature[] _features;
    private readonly (string Name, int GraphInput)[] _denseInputs;
    private readonly IReadOnlyList<string> _allOutputs;
    private readonly BundleFileWatch _files;
    private readonly Embeddings.Redis.RedisConnectionPool? _connections;
    // Each call's pooled embeddings, kept per feature for the next call of the same batch size.
    private readonly ScratchPool<SparseStageBuffers> _buffers;

    private BundleModel(DenseGraph dense, ServedTable[] tables, BundleFeature[] features, (string, int)[] denseInputs,
        ModelSignature signature, IReadOnlyList<string> allOutputs, BundleDeltas? deltas, BundleFileWatch files,
        Embeddings.Redis.RedisConnectionPool? connections)
    {
        _connections = connections;
        Deltas = deltas;
        _files = files;
        _dense = dense;
        _tables = tables;
        _features = features;
        _denseInputs = denseInputs;
        _allOutputs = allOutputs;
        Signature = signature;
        var metrics = new List<TableTierMetrics>();
        foreach (var table in tables)
        {
            metrics.AddRange(table.Metrics);
        }
        TableMetrics = metrics;
        _buffers = new ScratchPool<SparseStageBuffers>(ScratchPool<SparseStageBuffers>.DefaultSlots, _ => new SparseStageBuffers(features.Length));
    }

    /// <inheritdoc />
    public ModelSignature Signature { get; }

    /// <inheritdoc />
    public IReadOnlyList<TableTierMetrics> TableMetrics { get; }

    /// <summary>The version's delta overlay, or null when it was loaded without a state folder.</summary>
    public BundleDeltas? Deltas { get; }

    /// <inheritdoc />
    public TensorSet Predict(IReadOnlyDictionary<string, Tensor> inputs, IReadOnlyList<string> outputFilter)
    {
        if (_files.TornReason is { } torn)
        {
            throw new ServingException(ServingErrorCode.Unavailable, torn);
        }
        var graphInputs = _dense.Signature.Inputs.Count;
        // The session current when the request starts serves all of it, even if a delta swaps weights meanwhile.
        var dense = _dense.Acquire();
        var bound = ArrayPool<Tensor>.Shared.Rent(graphInputs);
        // Tensors this call made (pooled embeddings, padded ids), returned to the pool when the graph has run.
        var made = ArrayPool<Tensor?>.Shared.Rent(graphInputs);
        Array.Clear(made, 0, graphInputs);
        var buffers = _buffers.Rent();
        try
        {
            foreach (var (name, index) in _denseInputs)
            {
                bound[index] = inputs[name];
            }
            for (var f = 0; f < _features.Length; f++)
            {
                var feature = _features[f];
                var ids = inputs[feature.Name];
                var lengths = inputs.TryGetValue(feature.LengthsName, out var given) ? given : null;
                bound[feature.PooledInput] = feature.Run(ids, lengths, buffers.Slots[f], out var graphIds, out var ownsIds);
                if (graphIds is not null)
                {
                    bound[feature.IdsInput] = graphIds;
                    made[feature.IdsInput] = ownsIds ? graphIds : null;
                }
            }
            return dense.Model.PredictOrdered(bound.AsSpan(0, graphInputs), outputFilter.Count == 0 ? _allOutputs : outputFilter);
        }
        finally
        {
            for (var i = 0; i < graphInputs; i++)
            {
                made[i]?.Dispose();
            }
            Array.Clear(bound, 0, graphInputs);
            Array.Clear(made, 0, graphInputs);
            ArrayPool<Tensor>.Shared.Return(bound);
            ArrayPool<Tensor?>.Shared.Return(made);
            // The graph has read the pooled embeddings (its outputs are in their own buffers), so the next call may
            // reuse them.
            buffers.Trim();
            _buffers.Return(buffers);
            dense.Release();
        }
    }

    /// <inheritdoc />
    public ModelFileChange? CheckFiles() => _files.Check();

    /// <summary>Closes the session, every table and the cluster connections. No request may be running (the serving lease sees to that).</summary>
    public void Dispose()
    {
        _files.Dispose();
        // The overlay first: it detaches from the tables it reads through.
        Deltas?.Dispose();
        _dense.Dispose();
        _buffers.Dispose();
        foreach (var table in _tables)
        {
            table.Dispose();
        }
        _connections?.Dispose();
    }
}
