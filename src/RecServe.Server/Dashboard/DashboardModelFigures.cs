namespace RecServe.Server.Dashboard;

/// <summary>A model's headline figures, its batch sizes over the last minute (cumulative buckets) and its queue depth.</summary>
public sealed record DashboardModelFigures(DashboardPoint Headline, IReadOnlyDictionary<double, double> BatchSizes, double QueueRows);
