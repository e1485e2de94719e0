namespace RecServe.Embeddings.Redis;

/// <summary>
/// Connection settings the server's flags impose on every cluster table it serves, over what each bundle manifest says,
/// so that one bundle runs against different clusters (staging, production) unchanged. Null fields keep the manifest's.
/// </summary>
/// <param name="Endpoints">Seed nodes, "host:port,host:port".</param>
/// <param name="Password">AUTH password.</param>
/// <param name="Tls">Connect with TLS.</param>
/// <param name="TimeoutMs">Most milliseconds one batch lookup waits.</param>
/// <param name="OnFailure">What ids of an unreachable shard become.</param>
public sealed record RedisClusterOverrides(string? Endpoints = null, string? Password = null, bool? Tls = null, int? TimeoutMs = null,
    RedisFailureMode? OnFailure = null)
{
    /// <summary>No overrides: the manifests decide.</summary>
    public static RedisClusterOverrides None { get; } = new();

    /// <summary><paramref name="settings"/> with these overrides applied.</summary>
    public RedisClusterSettings Apply(RedisClusterSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings with
        {
            Endpoints = Endpoints is { } list ? RedisClusterSettings.FromEndpointList(list).Endpoints : settings.Endpoints,
            Password = Password ?? settings.Password,
            Tls = Tls ?? settings.Tls,
            Timeout = TimeoutMs is { } ms ? TimeSpan.FromMilliseconds(ms) : settings.Timeout,
            OnFailure = OnFailure ?? settings.OnFailure,
        };
    }

    /// <summary>These settings where they are set, <paramref name="fallback"/>'s where they are not (flags over a model's config).</summary>
    public RedisClusterOverrides Over(RedisClusterOverrides? fallback) => fallback is null ? this : new(
        Endpoints ?? fallback.Endpoints, Password ?? fallback.Password, Tls ?? fallback.Tls, TimeoutMs ?? fallback.TimeoutMs, OnFailure ?? fallback.OnFailure);

    /// <summary>Parses an on-failure flag value.</summary>
    /// <exception cref="ArgumentException">Neither degrade nor fail.</exception>
    public static RedisFailureMode ParseFailureMode(string text) => text switch
    {
        "degrade" => RedisFailureMode.Degrade,
        "fail" => RedisFailureMode.Fail,
        _ => throw new ArgumentException($"--redis_on_failure is '{text}', expected degrade or fail"),
    };
}
