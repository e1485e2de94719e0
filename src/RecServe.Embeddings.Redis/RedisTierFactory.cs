using RecServe.Core.Bundles;
using RecServe.Embeddings.Cache;
using RecServe.Embeddings.Tiers;

namespace RecServe.Embeddings.Redis;

/// <summary>
/// The one call a bundle loader makes for a table whose manifest tier is "redis": the cluster tier, behind a hot
/// row cache when the tier has a cache budget.
/// </summary>
public static class RedisTierFactory
{
    /// <summary>
    /// Opens the cluster copy of the table in <paramref name="tableFolder"/> as <paramref name="tier"/> describes it.
    /// The returned <c>ClusterTier</c> owns the connection: dispose it when the version unloads.
    /// </summary>
    public static async Task<(IEmbeddingTier Tier, RedisClusterTier ClusterTier)> OpenAsync(BundleTier tier, string tableFolder)
    {
        ArgumentNullException.ThrowIfNull(tier);
        var redis = tier.Redis ?? throw new ArgumentException("the tier has no redis object", nameof(tier));
        var cluster = await RedisClusterTier.OpenAsync(RedisClusterSettings.FromManifest(redis), tableFolder).ConfigureAwait(false);
        IEmbeddingTier served = tier.CacheBytes > 0 ? new CachedTier(new HotRowCache(cluster.Dim, tier.CacheBytes), cluster) : cluster;
        return (served, cluster);
    }
}
