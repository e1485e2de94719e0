using RecServe.Embeddings.Deltas.Streaming;
using StackExchange.Redis;

namespace RecServe.Embeddings.Redis.Streams;

/// <summary>
/// Reads one model's delta stream with <c>XREAD BLOCK</c>. StackExchange.Redis multiplexes every caller over one socket
/// and offers no blocking reads for that reason, so this reader has a connection of its own that nothing else uses,
/// and sends XREAD as a raw command. Connects on first read; an unreachable Redis is an <see cref="IOException"/> per
/// read, and the client reconnects by itself once Redis is back.
/// </summary>
public sealed class RedisDeltaStream : IDeltaStream
{
    private readonly RedisDeltaStreamSettings _settings;
    private readonly RedisKey _key;
    private ConnectionMultiplexer? _connection;

    /// <summary>Reads <paramref name="key"/> on the node of <paramref name="settings"/>.</summary>
    public RedisDeltaStream(RedisDeltaStreamSettings settings, string key)
    {
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
        _key = key ?? throw new ArgumentNullException(nameof(key));
        Description = $"redis {settings.Endpoint} {key}";
    }

    /// <inheritdoc />
    public string Description { get; }

    /// <inheritdoc />
    public async Task<IReadOnlyList<DeltaStreamEntry>> ReadAsync(StreamEntryId after, int count, TimeSpan block, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            // The client's own timeout must outlast the server-side block, or every idle read would time out.
            _connection ??= await ConnectionMultiplexer.ConnectAsync(_settings.Options(block + TimeSpan.FromSeconds(5))).ConfigureAwait(false);
            var result = await _connection.GetDatabase().ExecuteAsync("XREAD",
                "COUNT", count, "BLOCK", (long)block.TotalMilliseconds, "STREAMS", _key, after.ToString()).WaitAsync(cancellationToken).ConfigureAwait(false);
            return Parse(result);
        }
        catch (RedisException e)
        {
            throw new IOException($"{Description}: {e.Message}", e);
        }
    }

    // XREAD answers nil (nothing within the block time) or [[key, [[id, [field, value, ...]], ...]]].
    private static List<DeltaStreamEntry> Parse(RedisResult result)
    {
        var entries = new List<DeltaStreamEntry>();
        if (result.IsNull || result.Resp2Type != ResultType.Array)
        {
            return entries;
        }
        foreach (var stream in (RedisResult[])result!)
        {
            var pair = (RedisResult[])stream!;
            foreach (var item in (RedisResult[])pair[1]!)
            {
                var entry = (RedisResult[])item!;
                var id = StreamEntryId.Parse((string)entry[0]!);
                var values = (RedisResult[])entry[1]!;
                var fields = new Dictionary<string, ReadOnlyMemory<byte>>(values.Length / 2, StringComparer.Ordinal);
                for (var i = 0; i + 1 < values.Length; i += 2)
                {
                    fields[(string)values[i]!] = (byte[])values[i + 1]! ?? [];
                }
                entries.Add(new DeltaStreamEntry(id, fields));
            }
        }
        return entries;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.CloseAsync(allowCommandsToComplete: false).ConfigureAwait(false);
            _connection.Dispose();
        }
    }
}
