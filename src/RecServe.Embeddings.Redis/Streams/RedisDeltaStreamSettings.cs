using StackExchange.Redis;

namespace RecServe.Embeddings.Redis.Streams;

/// <summary>
/// Where models' delta streams live: one Redis node (or a cluster seed: a stream is one key, so one slot) and the key
/// prefix; model <c>m</c>'s stream is <c>&lt;prefix&gt;m</c>.
/// </summary>
/// <param name="Endpoint">host:port.</param>
/// <param name="Password">AUTH password, or null.</param>
/// <param name="KeyPrefix">Prefix of the stream keys.</param>
public sealed record RedisDeltaStreamSettings(string Endpoint, string? Password = null, string KeyPrefix = RedisDeltaStreamSettings.DefaultKeyPrefix)
{
    /// <summary>The default prefix: model <c>m</c> reads <c>recserve:deltas:m</c>.</summary>
    public const string DefaultKeyPrefix = "recserve:deltas:";

    /// <summary>Environment variable read for the password when the flag gives none (a password in flags shows in ps).</summary>
    public const string PasswordVariable = "RECSERVE_DELTA_STREAM_PASSWORD";

    /// <summary>The stream key of <paramref name="model"/>.</summary>
    public string KeyFor(string model) => KeyPrefix + model;

    /// <summary>
    /// Parses <c>host:port[,password=...]</c>; without a password option, <see cref="PasswordVariable"/> is used when set.
    /// </summary>
    /// <exception cref="ArgumentException">The text is not of that form.</exception>
    public static RedisDeltaStreamSettings Parse(string text, string keyPrefix = DefaultKeyPrefix, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || !IsEndpoint(parts[0]))
        {
            throw new ArgumentException($"'{text}' is not host:port[,password=...]");
        }
        string? password = null;
        foreach (var option in parts.AsSpan(1))
        {
            if (!option.StartsWith("password=", StringComparison.Ordinal))
            {
                throw new ArgumentException($"unknown option '{option.Split('=')[0]}' in '{parts[0]},...': only password= is understood");
            }
            password = option["password=".Length..];
        }
        password ??= (environment ?? Environment.GetEnvironmentVariable)(PasswordVariable);
        if (string.IsNullOrEmpty(keyPrefix))
        {
            throw new ArgumentException("the delta stream key prefix must not be empty");
        }
        return new RedisDeltaStreamSettings(parts[0], string.IsNullOrEmpty(password) ? null : password, keyPrefix);
    }

    /// <summary>Client options for a connection of its own: fail fast, reconnect soon, never queue.</summary>
    internal ConfigurationOptions Options(TimeSpan commandTimeout) => new()
    {
        EndPoints = { Endpoint },
        Password = Password,
        ConnectTimeout = 2000,
        SyncTimeout = (int)commandTimeout.TotalMilliseconds,
        AsyncTimeout = (int)commandTimeout.TotalMilliseconds,
        AbortOnConnectFail = true,
        ConnectRetry = 1,
        BacklogPolicy = BacklogPolicy.FailFast,
        ReconnectRetryPolicy = new LinearRetry(250),
        ClientName = "recserve-deltas",
        // XREAD's reply is parsed as RESP2 arrays; RESP3 would answer a map.
        Protocol = RedisProtocol.Resp2,
    };

    private static bool IsEndpoint(string text)
    {
        var colon = text.LastIndexOf(':');
        return colon > 0 && int.TryParse(text.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port)
            && port is > 0 and < 65536;
    }
}
