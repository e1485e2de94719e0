using RecServe.Core.Bundles;

namespace RecServe.Embeddings.Redis;

/// <summary>How to reach a Redis Cluster and how long to wait for it; built from a manifest's <see cref="BundleRedisTier"/>.</summary>
/// <param name="Endpoints">Seed nodes as "host:port"; the rest of the cluster is discovered.</param>
/// <param name="Password">AUTH password, or null.</param>
/// <param name="Tls">Connect with TLS.</param>
/// <param name="ConnectTimeout">How long to wait for a connection to a node.</param>
/// <param name="Timeout">How long one batch lookup may take; ids still unanswered then count as failed.</param>
/// <param name="OnFailure">What failed ids become.</param>
public sealed record RedisClusterSettings(IReadOnlyList<string> Endpoints, string? Password = null, bool Tls = false,
    TimeSpan? ConnectTimeout = null, TimeSpan? Timeout = null, RedisFailureMode OnFailure = RedisFailureMode.Degrade)
{
    /// <summary>The connect timeout in effect (2 s unless given).</summary>
    public TimeSpan EffectiveConnectTimeout => ConnectTimeout ?? TimeSpan.FromSeconds(2);

    /// <summary>The batch timeout in effect (100 ms unless given).</summary>
    public TimeSpan EffectiveTimeout => Timeout ?? TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The settings a manifest tier asks for; the password is read from the environment variable it names
    /// (<paramref name="environment"/> defaults to the process environment).
    /// </summary>
    /// <exception cref="InvalidOperationException">The password variable is named but not set.</exception>
    public static RedisClusterSettings FromManifest(BundleRedisTier tier, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(tier);
        string? password = null;
        if (tier.PasswordEnv is { } variable)
        {
            password = (environment ?? Environment.GetEnvironmentVariable)(variable)
                ?? throw new InvalidOperationException($"the redis tier's password_env names {variable}, which is not set");
        }
        return new RedisClusterSettings(tier.Endpoints, password, tier.Tls, TimeSpan.FromMilliseconds(tier.ConnectTimeoutMs),
            TimeSpan.FromMilliseconds(tier.TimeoutMs), tier.OnFailure == "fail" ? RedisFailureMode.Fail : RedisFailureMode.Degrade);
    }

    /// <summary>Settings from a comma-separated endpoint list, as the command line gives it.</summary>
    public static RedisClusterSettings FromEndpointList(string endpoints, string? password = null, bool tls = false) =>
        new(endpoints.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), password, tls);
}
