namespace RecServe.Core.Bundles;

/// <summary>The manifest rules of the "redis" residency (format version 2), kept apart from the version 1 rules.</summary>
internal static class BundleRedisTierValidator
{
    public static void Check(BundleManifest manifest, List<string> errors)
    {
        foreach (var table in manifest.Tables)
        {
            var redis = table.Tier.Redis;
            var isRedis = table.Tier.Residency == BundleFormat.ResidencyRedis;
            if (!isRedis)
            {
                if (redis is not null)
                {
                    errors.Add($"table '{table.Name}' has a redis object but residency '{table.Tier.Residency}'");
                }
                continue;
            }
            if (manifest.FormatVersion < BundleFormat.RedisTierVersion)
            {
                errors.Add($"table '{table.Name}' has residency redis, which needs format_version {BundleFormat.RedisTierVersion}");
            }
            if (redis is null)
            {
                errors.Add($"table '{table.Name}' has residency redis but no redis object (endpoints, timeouts)");
                continue;
            }
            CheckSettings(table.Name, redis, errors);
        }
    }

    private static void CheckSettings(string table, BundleRedisTier redis, List<string> errors)
    {
        if (redis.Endpoints.Count == 0)
        {
            errors.Add($"table '{table}' redis endpoints is empty");
        }
        foreach (var endpoint in redis.Endpoints)
        {
            var colon = endpoint.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(endpoint.AsSpan(colon + 1), out var port) || port is <= 0 or > 65535)
            {
                errors.Add($"table '{table}' redis endpoint '{endpoint}' is not host:port");
            }
        }
        if (redis.ConnectTimeoutMs <= 0 || redis.TimeoutMs <= 0)
        {
            errors.Add($"table '{table}' redis timeouts must be positive (connect_timeout_ms {redis.ConnectTimeoutMs}, timeout_ms {redis.TimeoutMs})");
        }
        if (!BundleFormat.RedisFailureModes.Contains(redis.OnFailure))
        {
            errors.Add($"table '{table}' redis on_failure is '{redis.OnFailure}', expected degrade or fail");
        }
        if (redis.PasswordEnv is { Length: 0 })
        {
            errors.Add($"table '{table}' redis password_env is empty (leave it out for no password)");
        }
    }
}
