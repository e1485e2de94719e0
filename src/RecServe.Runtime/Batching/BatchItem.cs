using System.Diagnostics;
using System.Threading.Tasks.Sources;
using RecServe.Core.Lifetime;
using RecServe.Core.Tensors;

namespace RecServe.Runtime.Batching;

/// <summary>
/// One queued request (or one chunk of a split request) waiting for its batch, and the source of the ValueTask its
/// caller awaits. Items are reused: one goes back to its pool only when both holders let go of it, the caller (by
/// taking the result) and the batcher (once the batch that held it is done, or it was dropped), so a cancelled
/// request's item is never reused while a batch may still read it.
/// </summary>
internal sealed class BatchItem : IValueTaskSource<TensorSet>
{
    private static readonly IReadOnlyDictionary<string, Tensor> NoInputs = new Dictionary<string, Tensor>();

    private readonly ScratchPool<BatchItem>? _pool;
    // Continuations run on the thread pool, never inline in the batch thread or a cancellation callback (as the
    // TaskCompletionSource this replaced did).
    private ManualResetValueTaskSourceCore<TensorSet> _core = new() { RunContinuationsAsynchronously = true };
    private CancellationTokenRegistration _registration;
    private int _completed;
    private int _holders;

    /// <summary>An item for <paramref name="pool"/>; ready it with <see cref="Start"/>.</summary>
    public BatchItem(ScratchPool<BatchItem> pool)
    {
        _pool = pool;
    }

    /// <summary>An item that is only merged, never queued nor awaited (a warm-up batch's copy of a request).</summary>
    public BatchItem(IReadOnlyDictionary<string, Tensor> inputs, int rows)
    {
        Inputs = inputs;
        Rows = rows;
    }

    public IReadOnlyDictionary<string, Tensor> Inputs { get; private set; } = NoInputs;

    public IReadOnlyList<string> OutputFilter { get; private set; } = [];

    public int Rows { get; private set; }

    public CancellationToken CancellationToken { get; private set; }

    public long EnqueuedAt { get; private set; }

    /// <summary>Whether a result or an error was set (a deadline that passed while it queued sets one).</summary>
    public bool IsCompleted => Volatile.Read(ref _completed) != 0;

    /// <summary>Readies the item for a request; the caller and the batcher each hold it until they let go.</summary>
    public void Start(IReadOnlyDictionary<string, Tensor> inputs, IReadOnlyList<string> outputFilter, int rows, CancellationToken cancellationToken)
    {
        Inputs = inputs;
        OutputFilter = outputFilter;
        Rows = rows;
        CancellationToken = cancellationToken;
        EnqueuedAt = Stopwatch.GetTimestamp();
        _completed = 0;
        _holders = 2;
    }

    /// <summary>What the caller awaits; take it before the item is queued.</summary>
    public ValueTask<TensorSet> Task => new(this, _core.Version);

    /// <summary>Fails the item with DEADLINE_EXCEEDED when its token fires before it completes.</summary>
    public void FailOnCancellation()
    {
        if (CancellationToken.CanBeCanceled)
        {
            _registration = CancellationToken.UnsafeRegister(static state => ((BatchItem)state!).TrySetException(BatchingModel.DeadlinePassed()), this);
        }
    }

    /// <summary>Sets the result unless the item completed already (then the caller disposes <paramref name="result"/>).</summary>
    public bool TrySetResult(TensorSet result)
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return false;
        }
        _core.SetResult(result);
        return true;
    }

    /// <summary>Sets the error unless the item completed already.</summary>
    public bool TrySetException(Exception error)
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return false;
        }
        _core.SetException(error);
        return true;
    }

    /// <summary>The batcher is done with the item: it read the item's inputs for the last time.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _holders) == 0)
        {
            Recycle();
        }
    }

    private void Recycle()
    {
        // Waits for a cancellation callback still running, so none can complete the item once it serves another request.
        _registration.Dispose();
        _registration = default;
        Inputs = NoInputs;
        OutputFilter = [];
        CancellationToken = default;
        _core.Reset();
        _pool?.Return(this);
    }

    /// <inheritdoc />
    public TensorSet GetResult(short token)
    {
        if (token != _core.Version || _core.GetStatus(token) == ValueTaskSourceStatus.Pending)
        {
            // Misuse (a second await, or a result taken before it is set): throws without touching the holds.
            return _core.GetResult(token);
        }
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            // The caller has its result or error: its hold ends.
            Release();
        }
    }

    /// <inheritdoc />
    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    /// <inheritdoc />
    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
