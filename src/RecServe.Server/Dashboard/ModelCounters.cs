namespace RecServe.Server.Dashboard;

/// <summary>Cumulative counters of one model at one instant, summed over versions and APIs.</summary>
public sealed class ModelCounters
{
    /// <summary>Requests answered.</summary>
    public double Requests { get; set; }

    /// <summary>Requests answered with an error status.</summary>
    public double Errors { get; set; }

    /// <summary>Request latency buckets: upper bound in seconds → requests at or below it.</summary>
    public Dictionary<double, double> Latency { get; } = [];

    /// <summary>Batch size buckets: upper bound in rows → batches at or below it.</summary>
    public Dictionary<double, double> BatchSize { get; } = [];

    /// <summary>Rows waiting in the batch queue now.</summary>
    public double QueueRows { get; set; }
}
