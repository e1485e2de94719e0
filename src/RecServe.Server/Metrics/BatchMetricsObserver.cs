using RecServe.Runtime.Batching;

namespace RecServe.Server.Metrics;

/// <summary>Feeds one model's batching measurements into the Prometheus series.</summary>
public sealed class BatchMetricsObserver(ServingMetrics metrics, string model) : IBatchObserver
{
    private readonly Prometheus.Histogram.Child _batchSize = metrics.BatchSize.WithLabels(model);
    private readonly Prometheus.Histogram.Child _queueWait = metrics.QueueWait.WithLabels(model);
    private readonly Prometheus.Histogram.Child _dense = metrics.DenseStage.WithLabels(model);
    private readonly Prometheus.Gauge.Child _depth = metrics.QueueDepth.WithLabels(model);

    /// <inheritdoc />
    public void OnBatch(int rows, int paddedRows, int requests, double seconds)
    {
        _batchSize.Observe(rows);
        _dense.Observe(seconds);
    }

    /// <inheritdoc />
    public void OnQueueWait(double seconds) => _queueWait.Observe(seconds);

    /// <inheritdoc />
    public void OnQueueDepth(long rows) => _depth.Set(rows);
}
