using System.Globalization;
using RecServe.Embeddings.Cache;
using RecServe.Embeddings.Deltas;
using RecServe.Embeddings.Overlay;
using StackExchange.Redis;

namespace RecServe.Embeddings.Redis;

/// <summary>
/// Applies a validated delta's upserts and deletes to cluster copies of tables, once and in seq order per copy, and
/// drops the changed ids from the local hot caches. Every copy's seq advances with every delta, also one that does not
/// touch it, so that the copy's seq and the version's delta seq stay the same numbers.
/// </summary>
/// <remarks>
/// Exactly once across replicas: each replica applies every delta it sees (its cache must forget the changed ids), but
/// only one writes it into the shared copy. A writer takes the copy's lock (<c>SET :delta_lock token NX PX</c>), then
/// reads the copy's seq: already there, it skips; the predecessor, it writes the rows and then the seq; anything else
/// is a gap (<see cref="DeltaSequenceException"/>). A replica that finds the lock taken waits until the copy's seq
/// reaches the delta (the other one wrote it) or the lock frees. Writes are idempotent, so a writer that dies midway
/// leaves a copy the next writer completes. Limit: a writer stalled past the lock's lease (60 s) could overlap the next.
/// </remarks>
public static class RedisDeltaApplier
{
    private const int ChunkRows = 4096;
    private static readonly TimeSpan LockLease = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan LockPoll = TimeSpan.FromMilliseconds(50);

    private const string ReleaseScript = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

    /// <summary>
    /// Brings each of <paramref name="tables"/> up to <paramref name="delta"/>'s seq; <paramref name="cacheOf"/> gives the
    /// hot cache in front of a table, if any, to invalidate. Returns the changed ids of the tables this call wrote.
    /// </summary>
    /// <exception cref="DeltaSequenceException">A table's copy has not yet applied the delta's predecessor.</exception>
    /// <exception cref="TimeoutException">Another writer held a copy's lock for longer than its lease.</exception>
    public static async Task<DeltaApplyResult> ApplyAsync(DeltaFile delta, IReadOnlyList<RedisClusterTable> tables,
        Func<string, HotRowCache?>? cacheOf = null)
    {
        ArgumentNullException.ThrowIfNull(delta);
        ArgumentNullException.ThrowIfNull(tables);
        var changes = new List<TableChange>();
        var advanced = false;
        long upserts = 0;
        long deletes = 0;
        foreach (var table in tables)
        {
            var t = IndexOf(delta, table.Description.Name);
            var latest = t >= 0 ? LatestRecords(delta, t) : [];
            if (!await WriteOnceAsync(delta, table, latest).ConfigureAwait(false))
            {
                continue;
            }
            advanced = true;
            if (t < 0)
            {
                continue;
            }
            var ids = latest.Keys.ToArray();
            cacheOf?.Invoke(table.Description.Name)?.Invalidate(ids);
            changes.Add(new TableChange(table.Description.Name, ids));
            upserts += delta.Tables[t].Upserts;
            deletes += delta.Tables[t].Deletes;
        }
        return new DeltaApplyResult(delta.Path, delta.Seq, advanced, upserts, deletes, changes, delta.DenseUpdates);
    }

    // Under the copy's lock: writes the delta's records and seq unless the copy already holds it. Returns whether it wrote.
    private static async Task<bool> WriteOnceAsync(DeltaFile delta, RedisClusterTable table, Dictionary<long, byte[]?> latest)
    {
        var db = table.Database;
        var keys = table.Keys;
        var token = Guid.NewGuid().ToString("N");
        var deadline = DateTime.UtcNow + 2 * LockLease;
        while (!await db.StringSetAsync(keys.DeltaLockKey, token, LockLease, When.NotExists).ConfigureAwait(false))
        {
            if (await CopySeqAsync(table).ConfigureAwait(false) >= delta.Seq)
            {
                return false;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"table '{table.Description.Name}': another replica held the cluster copy's delta lock for over {2 * LockLease.TotalSeconds:F0} s");
            }
            await Task.Delay(LockPoll).ConfigureAwait(false);
        }
        try
        {
            if (!await ShouldApplyAsync(delta, table).ConfigureAwait(false))
            {
                return false;
            }
            await WriteAsync(table, latest).ConfigureAwait(false);
            await db.StringSetAsync(keys.DeltaSeqKey, delta.Seq).ConfigureAwait(false);
            return true;
        }
        finally
        {
            await db.ScriptEvaluateAsync(ReleaseScript, [keys.DeltaLockKey], [token]).ConfigureAwait(false);
        }
    }

    private static int IndexOf(DeltaFile delta, string table)
    {
        for (var t = 0; t < delta.Tables.Count; t++)
        {
            if (delta.Tables[t].Name == table)
            {
                return t;
            }
        }
        return -1;
    }

    private static async Task<long> CopySeqAsync(RedisClusterTable table)
    {
        var stored = await table.Database.StringGetAsync(table.Keys.DeltaSeqKey).ConfigureAwait(false);
        return stored.IsNull ? 0 : long.Parse(stored.ToString(), CultureInfo.InvariantCulture);
    }

    private static async Task<bool> ShouldApplyAsync(DeltaFile delta, RedisClusterTable table)
    {
        var last = await CopySeqAsync(table).ConfigureAwait(false);
        if (delta.Seq <= last)
        {
            return false;
        }
        return delta.Seq == last + 1 ? true : throw new DeltaSequenceException(delta.Path, delta.Seq, last);
    }

    // A later record for the same id wins, so only each id's last record is written (null: deleted).
    private static Dictionary<long, byte[]?> LatestRecords(DeltaFile delta, int tableIndex)
    {
        var latest = new Dictionary<long, byte[]?>();
        foreach (var record in delta.Records)
        {
            if (record.TableIndex == tableIndex)
            {
                latest[record.Id] = record.Kind == DeltaRecordKind.Upsert ? record.Row.ToArray() : null;
            }
        }
        return latest;
    }

    private static async Task WriteAsync(RedisClusterTable table, Dictionary<long, byte[]?> latest)
    {
        var stride = table.Description.RowStride;
        var upsertIds = new long[ChunkRows];
        var rows = new byte[ChunkRows * stride];
        var deleteIds = new long[ChunkRows];
        int upserts = 0, deletes = 0;
        foreach (var (id, row) in latest)
        {
            if (row is null)
            {
                deleteIds[deletes++] = id;
            }
            else
            {
                // Delta rows are padded to a multiple of 4 bytes, as table rows are: the same stride.
                row.AsSpan(0, stride).CopyTo(rows.AsSpan(upserts * stride));
                upsertIds[upserts++] = id;
            }
            if (upserts == ChunkRows || deletes == ChunkRows)
            {
                await FlushAsync(table.Database, table.Keys, upsertIds, rows, upserts, deleteIds, deletes).ConfigureAwait(false);
                upserts = deletes = 0;
            }
        }
        await FlushAsync(table.Database, table.Keys, upsertIds, rows, upserts, deleteIds, deletes).ConfigureAwait(false);
    }

    private static Task FlushAsync(IDatabase db, RedisTableKeys keys, long[] upsertIds, byte[] rows, int upserts, long[] deleteIds, int deletes) =>
        Task.WhenAll(RedisRowWriter.UpsertAsync(db, keys, upsertIds, rows, upserts), RedisRowWriter.DeleteAsync(db, keys, deleteIds, deletes));
}
