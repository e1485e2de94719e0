using RecServe.Core.Tensors;

namespace RecServe.Runtime.Batching;

// Warm-up: runs a recorded request at the batch sizes live traffic will use, through the same merge path.
public sealed partial class BatchingModel
{
    /// <summary>
    /// The batch sizes live batches run at: <see cref="BatchingOptions.AllowedBatchSizes"/> when set, else powers of
    /// two up to <see cref="BatchingOptions.MaxBatchSize"/> and that size itself. Empty when the model is not batched.
    /// </summary>
    public IReadOnlyList<int> WarmupBatchSizes()
    {
        if (!_batchable)
        {
            return [];
        }
        if (_options.AllowedBatchSizes.Count > 0)
        {
            return _options.AllowedBatchSizes;
        }
        var sizes = new List<int>();
        for (var size = 1; size < _options.MaxBatchSize; size *= 2)
        {
            sizes.Add(size);
        }
        sizes.Add(_options.MaxBatchSize);
        return sizes;
    }

    /// <summary>
    /// Runs copies of <paramref name="inputs"/> merged into one batch of about <paramref name="batchSize"/> rows (at
    /// least the request's own rows, at most max_batch_size when the request fits), padded as a live batch would be,
    /// synchronously and outside the queue. Throws what the model throws.
    /// </summary>
    public void RunWarmupBatch(IReadOnlyDictionary<string, Tensor> inputs, int batchSize)
    {
        var rows = (int)Math.Min(BatchRows(inputs), int.MaxValue);
        var copies = rows == 0 ? 1 : Math.Max(1, Math.Min((batchSize + rows - 1) / rows, _options.MaxBatchSize / rows));
        var padded = _options.PaddedSize(rows * copies);
        if (copies == 1 && (padded == rows || rows > _options.MaxBatchSize))
        {
            _inner.Predict(inputs, []).Dispose();
            return;
        }
        var items = new List<BatchItem>(copies);
        for (var i = 0; i < copies; i++)
        {
            items.Add(new BatchItem(inputs, rows));
        }
        using var merged = new InputTensorBuffers();
        MergeInputs(items, padded, merged);
        _inner.Predict(merged.Inputs, []).Dispose();
    }
}
