using RecServe.Core.Errors;
using RecServe.Embeddings.Tables;
using StackExchange.Redis;

namespace RecServe.Embeddings.Redis;

/// <summary>
/// One table content whose push into the cluster completed: the database to ask and the keys its rows live under,
/// laid out as the push recorded. Opening refuses a copy without its complete marker, so a half-pushed table is
/// never served.
/// </summary>
public sealed class RedisClusterTable
{
    private RedisClusterTable(IConnectionMultiplexer connection, RedisTableKeys keys, RedisTableMarker marker)
    {
        Connection = connection;
        Database = connection.GetDatabase();
        Keys = keys;
        Marker = marker;
    }

    /// <summary>The connection to the cluster.</summary>
    public IConnectionMultiplexer Connection { get; }

    /// <summary>The database rows are read from and written to.</summary>
    public IDatabase Database { get; }

    /// <summary>Where the rows are.</summary>
    public RedisTableKeys Keys { get; }

    /// <summary>What the completed push recorded.</summary>
    public RedisTableMarker Marker { get; }

    /// <summary>The table.</summary>
    public TableDescription Description => Keys.Table;

    /// <summary>Finds the completed copy of <paramref name="table"/> in the cluster.</summary>
    /// <exception cref="ServingException">FAILED_PRECONDITION: the table was never pushed, or its push did not finish.</exception>
    public static async Task<RedisClusterTable> OpenAsync(IConnectionMultiplexer connection, TableDescription table)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(table);
        var probe = new RedisTableKeys(table, RedisRowLayout.Keys, 1);
        var db = connection.GetDatabase();
        var marker = RedisTableMarker.Parse(await db.StringGetAsync(probe.CompleteKey).ConfigureAwait(false));
        if (marker is null)
        {
            var progress = RedisTableMarker.Parse(await db.StringGetAsync(probe.ProgressKey).ConfigureAwait(false));
            var state = progress is null ? "it was never pushed" : $"its push stopped after {progress.Rows} of {table.RowCount} rows";
            throw new ServingException(ServingErrorCode.FailedPrecondition,
                $"table '{table.Name}' (content {table.ContentHash}) is not complete in the Redis cluster: {state}; " +
                "run 'recserve table push' for it (a push resumes where it stopped)");
        }
        if (marker.Rows != table.RowCount)
        {
            throw new ServingException(ServingErrorCode.DataLoss,
                $"table '{table.Name}' (content {table.ContentHash}) has {marker.Rows} rows in the Redis cluster, its metadata says {table.RowCount}");
        }
        return new RedisClusterTable(connection, marker.KeysFor(table), marker);
    }
}
