using StackExchange.Redis;

namespace RecServe.Embeddings.Redis;

/// <summary>
/// The connections of one model version's cluster tables: tables with the same cluster and client settings share one
/// multiplexer (a bundle of 26 cluster tables opens one set of sockets per node, not 26). Disposing the pool closes
/// them; do it after the tables using them are gone.
/// </summary>
public sealed class RedisConnectionPool : IDisposable
{
    private readonly Dictionary<string, ConnectionMultiplexer> _connections = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Connections opened so far.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _connections.Count;
            }
        }
    }

    /// <summary>The connection for <paramref name="settings"/>, opened on first use.</summary>
    /// <exception cref="RedisConnectionException">No seed node answered within the connect timeout.</exception>
    public async Task<IConnectionMultiplexer> GetAsync(RedisClusterSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        // Everything the client is configured from, so that tables with other timeouts get their own client.
        var key = string.Join('|', string.Join(',', settings.Endpoints), settings.Password ?? "", settings.Tls,
            settings.EffectiveConnectTimeout.Ticks, settings.EffectiveTimeout.Ticks);
        lock (_lock)
        {
            if (_connections.TryGetValue(key, out var open))
            {
                return open;
            }
        }
        var connection = await RedisConnector.ConnectAsync(settings).ConfigureAwait(false);
        lock (_lock)
        {
            if (_connections.TryGetValue(key, out var raced))
            {
                connection.Dispose();
                return raced;
            }
            _connections[key] = connection;
            return connection;
        }
    }

    /// <summary>Closes every connection.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var connection in _connections.Values)
            {
                connection.Dispose();
            }
            _connections.Clear();
        }
    }
}
