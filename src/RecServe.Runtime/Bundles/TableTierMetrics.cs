using RecServe.Embeddings.Tiers;

namespace RecServe.Runtime.Bundles;

/// <summary>The counters of one storage tier of one table of a loaded bundle, for the metrics layer to export.</summary>
/// <param name="Table">The table's name in the manifest.</param>
/// <param name="Tier"><see cref="CacheTier"/>, <see cref="LocalTier"/> or <see cref="RedisTier"/>.</param>
/// <param name="Metrics">Live counters; read them at scrape time.</param>
public sealed record TableTierMetrics(string Table, string Tier, TierMetrics Metrics)
{
    /// <summary>Tier name of the hot-row cache in front of a table.</summary>
    public const string CacheTier = "cache";

    /// <summary>Tier name of the table itself (mapped or in memory); its misses are ids served the default row.</summary>
    public const string LocalTier = "table";

    /// <summary>Tier name of a table read from a Redis Cluster; its misses include degraded lookups (see <see cref="TierMetrics.DegradedLookups"/>).</summary>
    public const string RedisTier = "redis";
}
