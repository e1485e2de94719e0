namespace RecServe.Runtime.Batching;

/// <summary>Dynamic batching knobs, with TF-Serving's names and meanings.</summary>
public sealed record BatchingOptions
{
    /// <summary>Most rows one batch may hold; larger requests are split and reassembled.</summary>
    public int MaxBatchSize { get; init; } = 64;

    /// <summary>
    /// How long the first request of a batch waits for others before the batch runs anyway. 0 (TF-Serving's default)
    /// runs a batch as soon as a batch thread is free, with whatever has queued: under load the queue fills while
    /// every thread is busy, so batches grow by themselves without adding a fixed wait to every request.
    /// </summary>
    public long BatchTimeoutMicros { get; init; }

    /// <summary>Batches that may run at once.</summary>
    public int NumBatchThreads { get; init; } = Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>Queue bound, in batches of <see cref="MaxBatchSize"/> rows; beyond it requests fail with RESOURCE_EXHAUSTED.</summary>
    public int MaxEnqueuedBatches { get; init; } = 100;

    /// <summary>If set, a batch is padded up to the next of these sizes (ascending; the last equals MaxBatchSize).</summary>
    public IReadOnlyList<int> AllowedBatchSizes { get; init; } = [];

    /// <summary>Checks the options are consistent; throws <see cref="ArgumentException"/> saying what is wrong.</summary>
    public void Validate()
    {
        if (MaxBatchSize < 1 || NumBatchThreads < 1 || MaxEnqueuedBatches < 1 || BatchTimeoutMicros < 0)
        {
            throw new ArgumentException("batching: max_batch_size, num_batch_threads and max_enqueued_batches must be positive, batch_timeout_micros non-negative");
        }
        for (var i = 0; i < AllowedBatchSizes.Count; i++)
        {
            if (AllowedBatchSizes[i] < 1 || (i > 0 && AllowedBatchSizes[i] <= AllowedBatchSizes[i - 1]))
            {
                throw new ArgumentException("batching: allowed_batch_sizes must be positive and strictly increasing");
            }
        }
        if (AllowedBatchSizes.Count > 0 && AllowedBatchSizes[^1] != MaxBatchSize)
        {
            throw new ArgumentException("batching: the last of allowed_batch_sizes must equal max_batch_size");
        }
    }

    /// <summary>The size a batch of <paramref name="rows"/> rows runs at: the next allowed size, or the rows themselves.</summary>
    public int PaddedSize(int rows)
    {
        foreach (var size in AllowedBatchSizes)
        {
            if (size >= rows)
            {
                return size;
            }
        }
        return rows;
    }
}
