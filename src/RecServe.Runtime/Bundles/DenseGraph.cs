using RecServe.Core.Lifetime;
using RecServe.Core.Signatures;
using RecServe.Core.Tensors;
using RecServe.Embeddings.Deltas;
using RecServe.Embeddings.Overlay;
using RecServe.Runtime.Onnx;

namespace RecServe.Runtime.Bundles;

/// <summary>
/// A bundle's dense stage, whose weights deltas may replace: the current ONNX Runtime session is held in a counted
/// lease, so a delta swaps in a session built with the new weights with one atomic write, and the old one closes
/// when the last request using it has finished. Requests never wait for a swap.
/// </summary>
internal sealed class DenseGraph : IDenseWeightTarget, IDisposable
{
    private readonly string _path;
    private readonly OnnxModelOptions _options;
    private readonly Lazy<IReadOnlyDictionary<string, (TensorDataType Type, long[] Shape)>> _initializers;
    private Lease _current;

    public DenseGraph(string path, OnnxModelOptions options, IReadOnlyCollection<DenseWeightUpdate> replacedWeights)
    {
        _path = path;
        _options = options;
        _initializers = new(() => OnnxInitializers.Read(path));
        if (replacedWeights.Count > 0)
        {
            // Weights replaced by deltas before a restart: checked as a new delta's would be.
            var problem = Check(replacedWeights);
            if (problem is not null)
            {
                throw new ModelLoadException($"the dense weights the overlay holds do not fit {path}: {problem}");
            }
        }
        _current = new Lease(OnnxModel.Load(path, options, replacedWeights));
        Signature = _current.Model.Signature;
    }

    /// <summary>The graph's inputs and outputs (a weight swap never changes them).</summary>
    public ModelSignature Signature { get; }

    /// <summary>Takes the current session for one request; the caller releases it.</summary>
    public Lease Acquire()
    {
        while (true)
        {
            var current = Volatile.Read(ref _current);
            if (current.TryAcquire())
            {
                return current;
            }
        }
    }

    /// <inheritdoc />
    public IPreparedDenseWeights Prepare(string deltaPath, IReadOnlyCollection<DenseWeightUpdate> weights)
    {
        if (Check(weights) is { } problem)
        {
            throw new DeltaFormatException(deltaPath, problem);
        }
        try
        {
            return new Prepared(this, OnnxModel.Load(_path, _options, weights));
        }
        catch (ModelLoadException e)
        {
            throw new DeltaFormatException(deltaPath, $"the dense graph does not load with the replaced weights: {e.Message}", e);
        }
    }

    private string? Check(IReadOnlyCollection<DenseWeightUpdate> weights)
    {
        IReadOnlyDictionary<string, (TensorDataType Type, long[] Shape)> initializers;
        try
        {
            initializers = _initializers.Value;
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            return $"the graph's weights cannot be read: {e.Message}";
        }
        foreach (var weight in weights)
        {
            if (!initializers.TryGetValue(weight.Name, out var existing))
            {
                return $"dense weight '{weight.Name}' is not a weight of the graph";
            }
            if (existing.Type != weight.DataType || !existing.Shape.AsSpan().SequenceEqual(weight.Shape))
            {
                return $"dense weight '{weight.Name}' is {weight.DataType.DisplayName()} [{string.Join(", ", weight.Shape)}], the graph's is {existing.Type.DisplayName()} [{string.Join(", ", existing.Shape)}]";
            }
        }
        return null;
    }

    private void Publish(OnnxModel model)
    {
        var old = Interlocked.Exchange(ref _current, new Lease(model));
        old.Release();
    }

    /// <summary>Closes the current session once no request uses it.</summary>
    public void Dispose() => Volatile.Read(ref _current).Release();

    /// <summary>One session and the requests using it (plus one reference while it is current).</summary>
    internal sealed class Lease(OnnxModel model)
    {
        private int _references = 1;

        public OnnxModel Model { get; } = model;

        public bool TryAcquire() => ReferenceCount.TryIncrement(ref _references);

        public void Release()
        {
            if (Interlocked.Decrement(ref _references) == 0)
            {
                Model.Dispose();
            }
        }
    }

    private sealed class Prepared(DenseGraph graph, OnnxModel model) : IPreparedDenseWeights
    {
        private OnnxModel? _model = model;

        public void Publish()
        {
            graph.Publish(_model ?? throw new InvalidOperationException("already published or disposed"));
            _model = null;
        }

        public void Dispose()
        {
            _model?.Dispose();
            _model = null;
        }
    }
}
