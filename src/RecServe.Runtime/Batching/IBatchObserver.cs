namespace RecServe.Runtime.Batching;

/// <summary>Receives batching measurements (for metrics); implementations must be cheap and thread-safe.</summary>
public interface IBatchObserver
{
    /// <summary>A batch of <paramref name="requests"/> requests ran with <paramref name="rows"/> real rows, padded to <paramref name="paddedRows"/>, in <paramref name="seconds"/>.</summary>
    void OnBatch(int rows, int paddedRows, int requests, double seconds);

    /// <summary>A request waited <paramref name="seconds"/> in the queue before its batch started.</summary>
    void OnQueueWait(double seconds);

    /// <summary>The queue now holds <paramref name="rows"/> rows.</summary>
    void OnQueueDepth(long rows);
}
