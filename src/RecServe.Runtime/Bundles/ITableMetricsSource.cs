namespace RecServe.Runtime.Bundles;

/// <summary>
/// A model that reads embedding tables and can say how each table tier is doing. The server's metrics layer reads
/// these counters when it is scraped, so Runtime stays free of the metrics library.
/// </summary>
public interface ITableMetricsSource
{
    /// <summary>One entry per table and tier, fixed for the model's lifetime.</summary>
    IReadOnlyList<TableTierMetrics> TableMetrics { get; }
}
