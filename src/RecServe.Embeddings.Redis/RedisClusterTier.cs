using System.Buffers;
using RecServe.Core.Errors;
using RecServe.Embeddings.Tables;
using RecServe.Embeddings.Tiers;
using StackExchange.Redis;

namespace RecServe.Embeddings.Redis;

/// <summary>
/// A table read from a Redis Cluster: a batch's ids are grouped by their key group (one hash slot each), one MGET or
/// HMGET per group is sent without waiting for the others, and the whole batch waits at most the settings' timeout.
/// Rows arrive in the table's own encoding and are decoded here. Ids of a group whose shard failed or did not answer
/// in time get the default row and count as degraded (<see cref="RedisFailureMode.Degrade"/>), or fail the batch with
/// UNAVAILABLE (<see cref="RedisFailureMode.Fail"/>). Put a <see cref="CachedTier"/> in front for hot rows.
/// </summary>
public sealed class RedisClusterTier : IEmbeddingTier, IDisposable
{
    private readonly IDisposable? _ownedConnection;

    /// <summary>Serves <paramref name="table"/>; disposes <paramref name="ownedConnection"/>, if given, with the tier.</summary>
    public RedisClusterTier(RedisClusterTable table, RedisClusterSettings settings, IDisposable? ownedConnection = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(settings);
        Table = table;
        Settings = settings;
        _ownedConnection = ownedConnection;
    }

    /// <summary>The cluster copy served.</summary>
    public RedisClusterTable Table { get; }

    /// <summary>Timeouts and failure mode.</summary>
    public RedisClusterSettings Settings { get; }

    /// <inheritdoc />
    public int Dim => Table.Description.Dim;

    /// <inheritdoc />
    public TierMetrics Metrics { get; } = new();

    /// <summary>
    /// Connects to the cluster of <paramref name="settings"/> and opens the pushed copy of the table whose
    /// <c>table.meta.json</c> is in <paramref name="tableFolder"/> (its rows need not be there).
    /// </summary>
    /// <exception cref="ServingException">The copy is missing or incomplete (FAILED_PRECONDITION).</exception>
    /// <exception cref="RedisConnectionException">No node answered.</exception>
    public static async Task<RedisClusterTier> OpenAsync(RedisClusterSettings settings, string tableFolder)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var description = EmbeddingTable.Describe(tableFolder);
        var connection = await RedisConnector.ConnectAsync(settings).ConfigureAwait(false);
        try
        {
            return new RedisClusterTier(await RedisClusterTable.OpenAsync(connection, description).ConfigureAwait(false), settings, connection);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Opens the pushed copy of the table in <paramref name="tableFolder"/> through <paramref name="pool"/>'s connection for
    /// <paramref name="settings"/>; the pool, not the tier, owns the connection.
    /// </summary>
    /// <exception cref="ServingException">The copy is missing or incomplete (FAILED_PRECONDITION).</exception>
    /// <exception cref="RedisConnectionException">No node answered.</exception>
    public static async Task<RedisClusterTier> OpenAsync(RedisClusterSettings settings, string tableFolder, RedisConnectionPool pool)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(pool);
        var description = EmbeddingTable.Describe(tableFolder);
        var connection = await pool.GetAsync(settings).ConfigureAwait(false);
        return new RedisClusterTier(await RedisClusterTable.OpenAsync(connection, description).ConfigureAwait(false), settings);
    }

    /// <inheritdoc />
    public int Gather(ReadOnlySpan<long> ids, Span<float> rows, Span<bool> found)
    {
        var dim = Dim;
        if (rows.Length < (long)ids.Length * dim || found.Length < ids.Length)
        {
            throw new ArgumentException($"{ids.Length} ids need {(long)ids.Length * dim} row values and {ids.Length} flags");
        }
        if (ids.IsEmpty)
        {
            return 0;
        }
        var groups = Table.Keys.Groups;
        var order = ArrayPool<int>.Shared.Rent(ids.Length);
        var starts = ArrayPool<int>.Shared.Rent(groups + 1);
        try
        {
            var requested = SortByGroup(ids, order, starts.AsSpan(0, groups + 1));
            var requests = Send(ids, order, starts, requested);
            var answered = WaitBounded(requests);
            var hits = 0;
            long degraded = 0;
            for (var r = 0; r < requests.Length; r++)
            {
                var (group, task) = requests[r];
                var positions = order.AsSpan(starts[group], starts[group + 1] - starts[group]);
                if (task.IsCompletedSuccessfully)
                {
                    hits += Decode(task.Result, positions, rows, found);
                    continue;
                }
                if (Settings.OnFailure == RedisFailureMode.Fail)
                {
                    Metrics.RecordBatch(ids.Length, hits);
                    throw Unavailable(task, answered);
                }
                FillDefault(positions, rows, found);
                degraded += positions.Length;
            }
            Metrics.RecordBatch(ids.Length, hits);
            if (degraded > 0)
            {
                Metrics.RecordDegraded(degraded);
            }
            return hits;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(order);
            ArrayPool<int>.Shared.Return(starts);
        }
    }

    /// <summary>Disposes the connection if the tier opened it.</summary>
    public void Dispose() => _ownedConnection?.Dispose();

    // Counting sort of positions by group: order[starts[g] .. starts[g+1]) are the positions of group g's ids.
    // Returns how many groups have ids.
    private int SortByGroup(ReadOnlySpan<long> ids, int[] order, Span<int> starts)
    {
        var keys = Table.Keys;
        starts.Clear();
        for (var i = 0; i < ids.Length; i++)
        {
            starts[keys.GroupOf(ids[i]) + 1]++;
        }
        var requested = 0;
        for (var g = 1; g < starts.Length; g++)
        {
            requested += starts[g] > 0 ? 1 : 0;
            starts[g] += starts[g - 1];
        }
        // Fill from each group's end backwards, so starts[g] ends at the group's first position again.
        var fill = ArrayPool<int>.Shared.Rent(starts.Length);
        try
        {
            starts.CopyTo(fill);
            for (var i = ids.Length - 1; i >= 0; i--)
            {
                order[--fill[keys.GroupOf(ids[i]) + 1]] = i;
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(fill);
        }
        return requested;
    }

    private (int Group, Task<RedisValue[]> Task)[] Send(ReadOnlySpan<long> ids, int[] order, int[] starts, int requested)
    {
        var keys = Table.Keys;
        var db = Table.Database;
        var requests = new (int, Task<RedisValue[]>)[requested];
        var r = 0;
        for (var g = 0; g < keys.Groups; g++)
        {
            var count = starts[g + 1] - starts[g];
            if (count == 0)
            {
                continue;
            }
            if (keys.Layout == RedisRowLayout.Keys)
            {
                var rowKeys = new RedisKey[count];
                for (var j = 0; j < count; j++)
                {
                    rowKeys[j] = keys.RowKey(ids[order[starts[g] + j]]);
                }
                requests[r++] = (g, db.StringGetAsync(rowKeys));
            }
            else
            {
                var fields = new RedisValue[count];
                for (var j = 0; j < count; j++)
                {
                    fields[j] = RedisTableKeys.Field(ids[order[starts[g] + j]]);
                }
                requests[r++] = (g, db.HashGetAsync(keys.GroupKey(g), fields));
            }
        }
        return requests;
    }

    // One wait for the whole batch, bounded by the timeout; a request still running after it counts as failed.
    private bool WaitBounded((int Group, Task<RedisValue[]> Task)[] requests)
    {
        var tasks = new Task[requests.Length];
        for (var r = 0; r < requests.Length; r++)
        {
            tasks[r] = requests[r].Task;
        }
        var all = Task.WhenAll(tasks).ContinueWith(static _ => { }, CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return all.Wait(Settings.EffectiveTimeout);
    }

    private int Decode(RedisValue[] values, ReadOnlySpan<int> positions, Span<float> rows, Span<bool> found)
    {
        var description = Table.Description;
        var dim = description.Dim;
        var hits = 0;
        for (var j = 0; j < positions.Length; j++)
        {
            var i = positions[j];
            if (values[j].IsNull)
            {
                found[i] = false;
                continue;
            }
            var bytes = ((ReadOnlyMemory<byte>)values[j]).Span;
            if (bytes.Length != description.RowStride)
            {
                throw CorruptRow(bytes.Length);
            }
            RowCodec.Decode(bytes, description.DataType, rows.Slice(i * dim, dim));
            found[i] = true;
            hits++;
        }
        return hits;
    }

    private void FillDefault(ReadOnlySpan<int> positions, Span<float> rows, Span<bool> found)
    {
        var dim = Dim;
        foreach (var i in positions)
        {
            Table.Description.DefaultRow.CopyTo(rows.Slice(i * dim, dim));
            found[i] = false;
        }
    }

    private ServingException Unavailable(Task task, bool answeredInTime)
    {
        var why = task.Exception?.InnerException?.Message
            ?? (answeredInTime ? "the request was cancelled" : $"no answer within {Settings.EffectiveTimeout.TotalMilliseconds:F0} ms");
        return new ServingException(ServingErrorCode.Unavailable,
            $"table '{Table.Description.Name}': a Redis shard is unavailable ({why})", task.Exception);
    }

    private ServingException CorruptRow(int length) => new(ServingErrorCode.DataLoss,
        $"table '{Table.Description.Name}': a row in the Redis cluster has {length} bytes, the table's rows have {Table.Description.RowStride}");
}
