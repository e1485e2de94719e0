using RecServe.Embeddings.Deltas;
using RecServe.Embeddings.Overlay;
using StackExchange.Redis;

namespace RecServe.Embeddings.Redis;

/// <summary>
/// The cluster copies of a served version's tables as the overlay's <see cref="IRemoteDeltaTarget"/>: every delta the
/// version applies, from any source, is written into them once (<see cref="RedisDeltaApplier"/>) before the overlay
/// commits. The caller invalidates hot caches after the overlay publishes, as for local tables.
/// </summary>
public sealed class RedisClusterDeltaTarget : IRemoteDeltaTarget
{
    private readonly RedisClusterTable[] _tables;

    /// <summary>Writes deltas into <paramref name="tables"/>.</summary>
    public RedisClusterDeltaTarget(IEnumerable<RedisClusterTable> tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        _tables = [.. tables];
        var schemas = new DeltaTableSchema[_tables.Length];
        for (var t = 0; t < schemas.Length; t++)
        {
            var description = _tables[t].Description;
            schemas[t] = new DeltaTableSchema(description.Name, description.Dim, description.DataType);
        }
        Schemas = schemas;
    }

    /// <inheritdoc />
    public IReadOnlyList<DeltaTableSchema> Schemas { get; }

    /// <inheritdoc />
    public void Apply(DeltaFile delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        try
        {
            // Applies run on the update thread, never on a request's: blocking here holds up no request.
            RedisDeltaApplier.ApplyAsync(delta, _tables).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            throw new DeltaTargetUnavailableException(delta.Path, $"the Redis cluster did not take the delta ({e.Message})", e);
        }
    }
}
