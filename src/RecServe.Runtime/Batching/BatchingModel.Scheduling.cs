using System.Diagnostics;
using System.Runtime.CompilerServices;
using RecServe.Core.Errors;
using RecServe.Core.Lifetime;
using RecServe.Core.Signatures;
using RecServe.Core.Tensors;

namespace RecServe.Runtime.Batching;

public sealed partial class BatchingModel
{
    // One scheduler forms batches; up to NumBatchThreads batches run at once. A batch is formed only once a
    // slot is free, so while every slot is busy requests pile up and the next batch is fuller.
    private async Task ScheduleAsync()
    {
        BatchItem? carried = null;
        var reader = _queue.Reader;
        var timeout = TimeSpan.FromTicks(_options.BatchTimeoutMicros * TimeSpan.TicksPerMicrosecond);
        var holdingSlot = false;
        try
        {
            while (true)
            {
                if (!await _slots.TakeAsync().ConfigureAwait(false))
                {
                    break;
                }
                holdingSlot = true;
                // No token: a cancellable read allocates each time it waits, and Dispose ends the read anyway by
                // completing the channel (ChannelClosedException).
                var first = carried ?? await reader.ReadAsync().ConfigureAwait(false);
                carried = null;
                var pending = _batches.Rent();
                var batch = pending.Items;
                batch.Add(first);
                var rows = first.Rows;
                var deadline = first.EnqueuedAt + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
                while (rows < _options.MaxBatchSize)
                {
                    if (!reader.TryRead(out var next))
                    {
                        var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
                        if (remaining <= TimeSpan.Zero || !await WaitForMoreAsync(reader, remaining).ConfigureAwait(false))
                        {
                            break;
                        }
                        continue;
                    }
                    if (rows + next.Rows > _options.MaxBatchSize || !Compatible(first, next))
                    {
                        carried = next;
                        break;
                    }
                    batch.Add(next);
                    rows += next.Rows;
                }
                holdingSlot = false;
                ThreadPool.UnsafeQueueUserWorkItem(pending, preferLocal: false);
            }
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            // Dispose completed the channel while the scheduler waited for the first request of a batch.
        }
        if (holdingSlot)
        {
            // A slot taken for a batch that never formed: give it back so Dispose's drain does not wait for it.
            _slots.Release();
        }
        if (carried is not null)
        {
            carried.TrySetException(new ServingException(ServingErrorCode.Unavailable, "the model unloaded before the request ran"));
            carried.Release();
        }
    }

    // A pooled state machine and a kept timer: a batch may wait several times before it fills. No stopping token
    // either: Dispose completes the channel first, which ends the wait with false, and the batch formed so far runs.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> WaitForMoreAsync(System.Threading.Channels.ChannelReader<BatchItem> reader, TimeSpan remaining)
    {
        // A timer that has not fired resets; one that fired (the last wait timed out) is replaced.
        if (_waitTimer is null || !_waitTimer.TryReset())
        {
            _waitTimer?.Dispose();
            _waitTimer = new CancellationTokenSource();
        }
        _waitTimer.CancelAfter(remaining);
        try
        {
            return await reader.WaitToReadAsync(_waitTimer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Dense inputs must agree beyond the batch dimension; sparse features merge in any layout.</summary>
    private bool Compatible(BatchItem first, BatchItem next)
    {
        // By index here and in MergeInputs: a foreach over the interface would box the list's enumerator per request.
        var specs = _inner.Signature.Inputs;
        for (var i = 0; i < specs.Count; i++)
        {
            var spec = specs[i];
            if (spec.Sparse is null && !TensorRows.SameRowShape(first.Inputs[spec.Name].Shape, next.Inputs[spec.Name].Shape))
            {
                return false;
            }
        }
        return true;
    }

    // Runs on a thread-pool thread; the batch's items are released (and the batch returned) by the caller.
    private void RunBatch(List<BatchItem> batch, List<BatchItem> live, InputTensorBuffers merged)
    {
        long dequeued = 0;
        foreach (var item in batch)
        {
            dequeued += item.Rows;
            _observer?.OnQueueWait(SecondsSince(item.EnqueuedAt));
            // Completed already means its deadline passed or its client left while it queued: drop it.
            if (!item.IsCompleted)
            {
                live.Add(item);
            }
        }
        // Not inside the ?. call: its argument would go unevaluated without an observer.
        var depth = Interlocked.Add(ref _queuedRows, -dequeued);
        _observer?.OnQueueDepth(depth);
        if (live.Count > 0)
        {
            Execute(live, merged);
        }
    }

    private void Execute(List<BatchItem> items, InputTensorBuffers merged)
    {
        var rows = 0;
        foreach (var item in items)
        {
            rows += item.Rows;
        }
        var padded = _options.PaddedSize(rows);
        var started = Stopwatch.GetTimestamp();
        try
        {
            if (items.Count == 1 && padded == rows)
            {
                var only = items[0];
                var result = _inner.Predict(only.Inputs, only.OutputFilter);
                if (!only.TrySetResult(result))
                {
                    result.Dispose();
                }
                return;
            }
            MergeInputs(items, padded, merged);
            using var outputs = _inner.Predict(merged.Inputs, []);
            SplitOutputs(items, outputs, padded, _results);
        }
        catch (ServingException e) when (items.Count > 1 && e.Code == ServingErrorCode.Unavailable)
        {
            // A backing store down (a Redis shard in fail mode) is no request's fault: running each request alone
            // would only wait out its timeout once per request. The whole batch gets the error.
            foreach (var item in items)
            {
                item.TrySetException(e);
            }
        }
        catch (Exception) when (items.Count > 1)
        {
            // One request's data (an id outside a graph-held table, say) can fail the merged run. Each request then
            // runs alone, so that only the request at fault gets the error and its batch-mates their answers.
            RunEachAlone(items);
        }
        catch (Exception e)
        {
            items[0].TrySetException(e);
        }
        finally
        {
            merged.Clear();
            _observer?.OnBatch(rows, padded, items.Count, SecondsSince(started));
        }
    }

    private void RunEachAlone(List<BatchItem> items)
    {
        foreach (var item in items)
        {
            try
            {
                var result = _inner.Predict(item.Inputs, item.OutputFilter);
                if (!item.TrySetResult(result))
                {
                    result.Dispose();
                }
            }
            catch (Exception e)
            {
                item.TrySetException(e);
            }
        }
    }

    // Merges the requests' inputs into the kept tensors of <paramref name="into"/>; padding rows are zero.
    private void MergeInputs(List<BatchItem> items, int paddedRows, InputTensorBuffers into)
    {
        Span<long> scratch = stackalloc long[16];
        var specs = _inner.Signature.Inputs;
        for (var i = 0; i < specs.Count; i++)
        {
            var spec = specs[i];
            if (spec.Sparse is { } sparse)
            {
                SparseRows.MergeInto(spec.Name, sparse, items, paddedRows, into);
                continue;
            }
            var first = items[0].Inputs[spec.Name];
            if (first.DataType == TensorDataType.String)
            {
                var parts = new List<Tensor>(items.Count);
                foreach (var item in items)
                {
                    parts.Add(item.Inputs[spec.Name]);
                }
                into.AddOwned(spec.Name, TensorRows.Concat(parts, paddedRows));
                continue;
            }
            var shape = first.Shape.Length <= scratch.Length ? scratch[..first.Shape.Length] : new long[first.Shape.Length];
            first.Shape.CopyTo(shape);
            shape[0] = paddedRows;
            var target = into.Take(spec.Name, first.DataType, shape, clear: false).Bytes;
            var position = 0;
            foreach (var item in items)
            {
                var part = item.Inputs[spec.Name].Bytes;
                part.CopyTo(target[position..]);
                position += part.Length;
            }
            target[position..].Clear();
        }
    }

    private static void SplitOutputs(List<BatchItem> items, TensorSet outputs, int paddedRows, ScratchPool<SplitResult> results)
    {
        var anyStrings = false;
        // By index: a foreach over the interface would box the list's enumerator.
        for (var i = 0; i < outputs.Items.Count; i++)
        {
            var output = outputs.Items[i];
            if (output.Tensor.Shape.Length == 0 || output.Tensor.Shape[0] != paddedRows)
            {
                throw new ServingException(ServingErrorCode.Internal,
                    $"output '{output.Name}' has shape {TensorShape.Format(output.Tensor.Shape)}, which does not keep the batch dimension of {paddedRows} rows; serve this model without batching");
            }
            anyStrings |= output.Tensor.DataType == TensorDataType.String;
        }
        long offset = 0;
        foreach (var item in items)
        {
            var result = anyStrings ? SliceOutputs(outputs, offset, item) : results.Rent().Fill(outputs, offset, item.Rows, item.OutputFilter);
            offset += item.Rows;
            if (!item.TrySetResult(result))
            {
                result.Dispose();
            }
        }
    }

    // String outputs are not kept between requests: each request gets new tensors.
    private static TensorSet SliceOutputs(TensorSet outputs, long offset, BatchItem item)
    {
        var result = new TensorSet(outputs.Items.Count);
        foreach (var output in outputs.Items)
        {
            if (Wanted(item.OutputFilter, output.Name))
            {
                result.Add(output.Name, TensorRows.Slice(output.Tensor, offset, item.Rows));
            }
        }
        return result;
    }

    /// <summary>Whether <paramref name="filter"/> (empty: every output) asks for the output <paramref name="name"/>.</summary>
    internal static bool Wanted(IReadOnlyList<string> filter, string name)
    {
        if (filter.Count == 0)
        {
            return true;
        }
        foreach (var wanted in filter)
        {
            if (wanted == name)
            {
                return true;
            }
        }
        return false;
    }
}
