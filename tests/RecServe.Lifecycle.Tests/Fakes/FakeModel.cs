using RecServe.Core.Signatures;
using RecServe.Core.Tensors;
using RecServe.Runtime;

namespace RecServe.Lifecycle.Tests.Fakes;

/// <summary>A model that only remembers which version it is and whether it was disposed.</summary>
public sealed class FakeModel(string modelName, long version) : IModel
{
    private int _disposeCount;

    public string ModelName { get; } = modelName;

    public long Version { get; } = version;

    public int DisposeCount => Volatile.Read(ref _disposeCount);

    public bool IsDisposed => DisposeCount > 0;

    public ModelSignature Signature { get; } = new([], []);

    public TensorSet Predict(IReadOnlyDictionary<string, Tensor> inputs, IReadOnlyList<string> outputFilter) =>
        throw new NotSupportedException("a fake model does not predict");

    public void Dispose() => Interlocked.Increment(ref _disposeCount);
}
