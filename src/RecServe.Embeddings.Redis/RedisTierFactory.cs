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
    /// Opens the cluster copy of the table in <paramref name="tableFolder"/> as <paramref name="tier"/> describes it, with
    /// <paramref name="overrides"/> (the server's flags) over the manifest's connection settings.
    /// The connection comes from <paramref name="pool"/> when given (dispose the pool when the version unloads);
    /// otherwise the returned <c>ClusterTier</c> owns its own: dispose it when the version unloads.
    /// </summary>
    /// <exception cref="Core.Errors.ServingException">The copy is missing or incomplete (FAILED_PRECONDITION).</exception>
    /// <exception cref="StackExchange.Redis.RedisConnectionException">No node answered.</exception>
    /// <exception cref="InvalidOperationException">The manifest names a password variable that is not set.</exception>
    public static async Task<(IEmbeddingTier Tier, RedisClusterTier ClusterTier)> OpenAsync(BundleTier tier, string tableFolder,
        RedisClusterOverrides? overrides = null, RedisConnectionPool? pool = null)
    {
        ArgumentNullException.ThrowIfNull(tier);
        var redis = tier.Redis ?? throw new ArgumentException("the tier has no redis object", nameof(tier));
        overrides ??= RedisClusterOverrides.None;
        // A password given by flag stands in for the manifest's variable, which then need not be set.
        Func<string, string?>? environment = overrides.Password is { } password ? _ => password : null;
        var settings = overrides.Apply(RedisClusterSettings.FromManifest(redis, environment));
        var cluster = pool is null
            ? await RedisClusterTier.OpenAsync(settings, tableFolder).ConfigureAwait(false)
            : await RedisClusterTier.OpenAsync(settings, tableFolder, pool).ConfigureAwait(false);
        IEmbeddingTier served = tier.CacheBytes > 0 ? new CachedTier(new HotRowCache(cluster.Dim, tier.CacheBytes), cluster) : cluster;
        return (served, cluster);
    }
}
