using System.Diagnostics;
using System.Threading.Channels;
using RecServe.Core.Errors;
using RecServe.Core.Lifetime;
using RecServe.Core.Signatures;
using RecServe.Core.Tensors;

namespace RecServe.Runtime.Batching;

/// <summary>
/// Dynamic batching as a decorator with the model's own interface: concurrent requests queue, are merged
/// along the batch dimension up to <see cref="BatchingOptions.MaxBatchSize"/> rows (waiting at most
/// <see cref="BatchingOptions.BatchTimeoutMicros"/> for company), run as one call of the wrapped model, and
/// are split back in order. Larger requests are split into chunks and reassembled. A full queue refuses at
/// once with RESOURCE_EXHAUSTED; a request whose deadline passed is dropped before it is computed.
/// </summary>
public sealed partial class BatchingModel : IModel
{
    private readonly IModel _inner;
    private readonly BatchingOptions _options;
    private readonly IBatchObserver? _observer;
    private readonly Channel<BatchItem> _queue = Channel.CreateUnbounded<BatchItem>(new UnboundedChannelOptions { SingleReader = true });
    private readonly BatchSlots _slots;
    private readonly Task _scheduler;
    private readonly long _maxQueuedRows;
    private readonly bool _batchable;
    // Kept between requests: queue items, the batches being formed, and the split results lent to callers.
    private readonly ScratchPool<BatchItem> _items;
    private readonly ScratchPool<PendingBatch> _batches;
    private readonly ScratchPool<SplitResult> _results;
    private long _queuedRows;
    // The scheduler's timer for waiting on more requests to fill a batch (only the scheduler touches it).
    private CancellationTokenSource? _waitTimer;

    /// <summary>Wraps <paramref name="inner"/>; takes ownership of it.</summary>
    public BatchingModel(IModel inner, BatchingOptions options, IBatchObserver? observer = null)
    {
        options.Validate();
        _inner = inner;
        _options = options;
        _observer = observer;
        _slots = new BatchSlots(options.NumBatchThreads);
        _maxQueuedRows = (long)options.MaxEnqueuedBatches * options.MaxBatchSize;
        _batchable = IsBatchable(inner.Signature);
        // Room for every request of the batches that can be out at once (queued, running, results not yet disposed),
        // bounded because an empty pool's rent looks at every slot.
        var perRequest = Math.Clamp(2 * options.MaxBatchSize * options.NumBatchThreads, ScratchPool<BatchItem>.DefaultSlots, 256);
        _items = new ScratchPool<BatchItem>(perRequest, static pool => new BatchItem(pool));
        _results = new ScratchPool<SplitResult>(perRequest, static pool => new SplitResult(pool));
        _batches = new ScratchPool<PendingBatch>(options.NumBatchThreads + 1, pool => new PendingBatch(this, pool));
        _scheduler = _batchable ? Task.Run(ScheduleAsync) : Task.CompletedTask;
    }

    /// <inheritdoc />
    public ModelSignature Signature => _inner.Signature;

    /// <summary>The wrapped model (for readers of its own counters, such as table metrics).</summary>
    public IModel Inner => _inner;

    /// <inheritdoc />
    public ModelFileChange? CheckFiles() => _inner.CheckFiles();

    /// <summary>Whether requests are batched: every input and output must have a dynamic first dimension.</summary>
    public bool IsBatching => _batchable;

    private static bool IsBatchable(ModelSignature signature)
    {
        foreach (var spec in signature.Inputs)
        {
            if (!spec.HasDynamicBatch)
            {
                return false;
            }
        }
        foreach (var spec in signature.Outputs)
        {
            if (!spec.HasDynamicBatch)
            {
                return false;
            }
        }
        return signature.Inputs.Count > 0;
    }

    /// <inheritdoc />
    public TensorSet Predict(IReadOnlyDictionary<string, Tensor> inputs, IReadOnlyList<string> outputFilter) =>
        PredictAsync(inputs, outputFilter, CancellationToken.None).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc />
    /// <remarks>
    /// The ValueTask of a queued request comes from a pooled item: await it once (or call AsTask once), as any ValueTask.
    /// </remarks>
    public ValueTask<TensorSet> PredictAsync(IReadOnlyDictionary<string, Tensor> inputs, IReadOnlyList<string> outputFilter, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<TensorSet>(cancellationToken);
        }
        long rows;
        try
        {
            rows = _batchable ? BatchRows(inputs) : 0;
            if (rows == 0)
            {
                return new ValueTask<TensorSet>(_inner.Predict(inputs, outputFilter));
            }
            if (rows <= _options.MaxBatchSize)
            {
                return Enqueue(inputs, outputFilter, (int)rows, cancellationToken);
            }
        }
        catch (Exception e)
        {
            // Errors reach the caller through the ValueTask, as from the async method this was.
            return ValueTask.FromException<TensorSet>(e);
        }
        return new ValueTask<TensorSet>(PredictSplitAsync(inputs, outputFilter, rows, cancellationToken));
    }

    private long BatchRows(IReadOnlyDictionary<string, Tensor> inputs) => SparseRows.Rows(_inner.Signature.Inputs[0], inputs);

    private ValueTask<TensorSet> Enqueue(IReadOnlyDictionary<string, Tensor> inputs, IReadOnlyList<string> outputFilter, int rows, CancellationToken cancellationToken)
    {
        var queued = Interlocked.Add(ref _queuedRows, rows);
        if (queued > _maxQueuedRows)
        {
            Interlocked.Add(ref _queuedRows, -rows);
            throw ServingException.ResourceExhausted(
                $"the batch queue is full ({_maxQueuedRows} rows: max_enqueued_batches {_options.MaxEnqueuedBatches} x max_batch_size {_options.MaxBatchSize}); retry later");
        }
        _observer?.OnQueueDepth(queued);
        var item = _items.Rent();
        item.Start(inputs, outputFilter, rows, cancellationToken);
        // Taken before the item is queued: once queued it may complete, and be reused once its result is taken.
        var task = item.Task;
        item.FailOnCancellation();
        if (!_queue.Writer.TryWrite(item))
        {
            // Never queued and never awaited: the item is left to the GC rather than pooled.
            Interlocked.Add(ref _queuedRows, -rows);
            throw new ServingException(ServingErrorCode.Unavailable, "the model is unloading");
        }
        return task;
    }

    /// <summary>The error of a request whose deadline passed (or whose client left) before it was computed.</summary>
    internal static ServingException DeadlinePassed() =>
        new(ServingErrorCode.DeadlineExceeded, "the request's deadline passed before it was computed");

    private async Task<TensorSet> PredictSplitAsync(IReadOnlyDictionary<string, Tensor> inputs, IReadOnlyList<string> outputFilter, long rows, CancellationToken cancellationToken)
    {
        var chunks = new List<Dictionary<string, Tensor>>();
        var tasks = new List<Task<TensorSet>>();
        try
        {
            for (long start = 0; start < rows; start += _options.MaxBatchSize)
            {
                var count = Math.Min(_options.MaxBatchSize, rows - start);
                var chunk = new Dictionary<string, Tensor>(inputs.Count, StringComparer.Ordinal);
                chunks.Add(chunk);
                foreach (var (name, tensor) in inputs)
                {
                    // A ragged feature's flat ids are not rows; its lengths are, and say where each chunk's ids are.
                    chunk[name] = _inner.Signature.InputsByName.TryGetValue(name, out var spec) && spec.Sparse is { } sparse
                        && SparseIdsLayouts.FindLengths(inputs, sparse) is { } lengths
                        ? SparseRows.SliceRagged(tensor, lengths, start, count)
                        : TensorRows.Slice(tensor, start, count);
                }
                tasks.Add(Enqueue(chunk, outputFilter, (int)count, cancellationToken).AsTask());
            }
            var parts = await Task.WhenAll(tasks).ConfigureAwait(false);
            return Reassemble(parts, rows);
        }
        finally
        {
            foreach (var task in tasks)
            {
                if (task.IsCompletedSuccessfully)
                {
                    task.Result.Dispose();
                }
            }
            foreach (var chunk in chunks)
            {
                foreach (var tensor in chunk.Values)
                {
                    tensor.Dispose();
                }
            }
        }
    }

    private static TensorSet Reassemble(TensorSet[] parts, long rows)
    {
        var result = new TensorSet(parts[0].Items.Count);
        var pieces = new List<Tensor>(parts.Length);
        for (var i = 0; i < parts[0].Items.Count; i++)
        {
            pieces.Clear();
            foreach (var part in parts)
            {
                pieces.Add(part.Items[i].Tensor);
            }
            result.Add(parts[0].Items[i].Name, TensorRows.Concat(pieces, rows));
        }
        return result;
    }

    /// <summary>Stops taking requests, fails those still queued, and disposes the wrapped model.</summary>
    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _slots.Stop();
        try
        {
            _scheduler.Wait(TimeSpan.FromSeconds(30));
        }
        catch (AggregateException)
        {
        }
        while (_queue.Reader.TryRead(out var item))
        {
            item.TrySetException(new ServingException(ServingErrorCode.Unavailable, "the model unloaded before the request ran"));
            item.Release();
        }
        // Wait for running batches before the model goes away.
        _slots.WaitUntilAllFree(TimeSpan.FromSeconds(30));
        _inner.Dispose();
        _waitTimer?.Dispose();
        // Results still out with callers are disposed when they come back.
        _results.Dispose();
        _batches.Dispose();
    }

    private static double SecondsSince(long timestamp) => Stopwatch.GetElapsedTime(timestamp).TotalSeconds;
}
