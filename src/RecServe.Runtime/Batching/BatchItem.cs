using RecServe.Core.Tensors;

namespace RecServe.Runtime.Batching;

/// <summary>One queued request (or one chunk of a split request) waiting for its batch.</summary>
internal sealed class BatchItem(IReadOnlyDictionary<string, Tensor> inputs, IReadOnlyList<string> outputFilter, int rows, CancellationToken cancellationToken)
{
    public IReadOnlyDictionary<string, Tensor> Inputs { get; } = inputs;

    public IReadOnlyList<string> OutputFilter { get; } = outputFilter;

    public int Rows { get; } = rows;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    public long EnqueuedAt { get; } = System.Diagnostics.Stopwatch.GetTimestamp();

    public TaskCompletionSource<TensorSet> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
