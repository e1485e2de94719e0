using StackExchange.Redis;

namespace RecServe.Embeddings.Redis;

/// <summary>Opens StackExchange.Redis connections configured for serving: fail fast, reconnect soon, never queue.</summary>
public static class RedisConnector
{
    /// <summary>Connects to the cluster of <paramref name="settings"/>.</summary>
    /// <exception cref="RedisConnectionException">No seed node answered within the connect timeout.</exception>
    public static async Task<ConnectionMultiplexer> ConnectAsync(RedisClusterSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return await ConnectionMultiplexer.ConnectAsync(Options(settings)).ConfigureAwait(false);
    }

    /// <summary>The client options <see cref="ConnectAsync"/> uses.</summary>
    public static ConfigurationOptions Options(RedisClusterSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var connect = (int)settings.EffectiveConnectTimeout.TotalMilliseconds;
        // Commands time out a little after the batch deadline so that a tier's own wait, not the client's, decides.
        var command = Math.Max(50, (int)settings.EffectiveTimeout.TotalMilliseconds * 2);
        var options = new ConfigurationOptions
        {
            Password = settings.Password,
            Ssl = settings.Tls,
            ConnectTimeout = connect,
            SyncTimeout = command,
            AsyncTimeout = command,
            AbortOnConnectFail = true,
            ConnectRetry = 2,
            // Commands for a node that is down fail at once instead of waiting in a backlog for its return,
            // and the client tries to reconnect every 250 ms, so a node that comes back is used within a second.
            BacklogPolicy = BacklogPolicy.FailFast,
            ReconnectRetryPolicy = new LinearRetry(250),
            HeartbeatInterval = TimeSpan.FromMilliseconds(500),
            ClientName = "recserve",
        };
        foreach (var endpoint in settings.Endpoints)
        {
            options.EndPoints.Add(endpoint);
        }
        return options;
    }
}
