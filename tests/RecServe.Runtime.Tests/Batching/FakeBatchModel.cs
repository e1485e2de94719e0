using RecServe.Core.Errors;
using RecServe.Core.Signatures;
using RecServe.Core.Tensors;
using RecServe.Runtime;

namespace RecServe.Runtime.Tests.Batching;

/// <summary>
/// A model computing y = 2x over rows of width 2, recording each batch it runs; it can hold its first call
/// until released, so tests can queue requests behind it deterministically.
/// </summary>
internal sealed class FakeBatchModel : IModel
{
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly bool _holdFirst;
    private int _calls;
    private int _unavailableCalls;

    public FakeBatchModel(bool holdFirst = false, bool dynamicBatch = true)
    {
        _holdFirst = holdFirst;
        long batch = dynamicBatch ? -1 : 1;
        Signature = new ModelSignature(
            [new TensorSpec("x", TensorDataType.Float32, [batch, 2])],
            [new TensorSpec("y", TensorDataType.Float32, [batch, 2]), new TensorSpec("rows", TensorDataType.Int64, [batch])]);
    }

    public ModelSignature Signature { get; }

    public TaskCompletionSource FirstCallEntered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public List<long> BatchRows { get; } = [];

    public List<float[]> BatchInputs { get; } = [];

    public bool Disposed { get; private set; }

    /// <summary>Calls that threw UNAVAILABLE (inputs holding +inf).</summary>
    public int UnavailableCalls => Volatile.Read(ref _unavailableCalls);

    public void Release() => _release.TrySetResult();

    public TensorSet Predict(IReadOnlyDictionary<string, Tensor> inputs, IReadOnlyList<string> outputFilter)
    {
        if (Interlocked.Increment(ref _calls) == 1 && _holdFirst)
        {
            FirstCallEntered.TrySetResult();
            _release.Task.Wait(TimeSpan.FromSeconds(30));
        }
        var x = inputs["x"];
        var rows = x.Shape[0];
        if (x.AsSpan<float>().Contains(float.PositiveInfinity))
        {
            // Stands for a backing store that is down (a Redis shard in fail mode): no request's fault.
            Interlocked.Increment(ref _unavailableCalls);
            throw new ServingException(ServingErrorCode.Unavailable, "a shard is down");
        }
        if (x.AsSpan<float>().Contains(float.NegativeInfinity))
        {
            // Stands for data the engine rejects (an id outside a graph-held table, say).
            throw new InvalidOperationException("the engine refused -inf");
        }
        lock (BatchRows)
        {
            BatchRows.Add(rows);
            BatchInputs.Add(x.AsSpan<float>().ToArray());
        }
        var result = new TensorSet();
        var y = Tensor.Allocate(TensorDataType.Float32, [rows, 2]);
        var source = x.AsSpan<float>();
        var target = y.AsSpan<float>();
        for (var i = 0; i < source.Length; i++)
        {
            target[i] = source[i] * 2;
        }
        if (outputFilter.Count == 0 || outputFilter.Contains("y"))
        {
            result.Add("y", y);
        }
        else
        {
            y.Dispose();
        }
        if (outputFilter.Count == 0 || outputFilter.Contains("rows"))
        {
            var counts = Tensor.Allocate(TensorDataType.Int64, [rows]);
            counts.AsSpan<long>().Fill(rows);
            result.Add("rows", counts);
        }
        return result;
    }

    public void Dispose() => Disposed = true;
}
