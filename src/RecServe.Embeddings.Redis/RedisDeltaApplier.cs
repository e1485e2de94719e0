using System.Globalization;
using RecServe.Embeddings.Cache;
using RecServe.Embeddings.Deltas;
using RecServe.Embeddings.Overlay;
using StackExchange.Redis;

namespace RecServe.Embeddings.Redis;

/// <summary>
/// Applies a validated delta's upserts and deletes to the cluster copies of its tables, once and in seq order per
/// table (each copy records its last applied seq), and drops the changed ids from the local hot caches. Tables of the
/// delta without a cluster copy are left to the local overlay.
/// </summary>
public static class RedisDeltaApplier
{
    private const int ChunkRows = 4096;

    /// <summary>
    /// Applies <paramref name="delta"/> to those of <paramref name="tables"/> it touches; <paramref name="cacheOf"/>
    /// gives the hot cache in front of a table, if any, to invalidate. Returns the changed ids per table.
    /// </summary>
    /// <exception cref="DeltaSequenceException">A table's copy has not yet applied the delta's predecessor.</exception>
    public static async Task<DeltaApplyResult> ApplyAsync(DeltaFile delta, IReadOnlyList<RedisClusterTable> tables,
        Func<string, HotRowCache?>? cacheOf = null)
    {
        ArgumentNullException.ThrowIfNull(delta);
        ArgumentNullException.ThrowIfNull(tables);
        var changes = new List<TableChange>();
        long upserts = 0;
        long deletes = 0;
        for (var t = 0; t < delta.Tables.Count; t++)
        {
            var table = tables.FirstOrDefault(c => c.Description.Name == delta.Tables[t].Name);
            if (table is null || !await ShouldApplyAsync(delta, table).ConfigureAwait(false))
            {
                continue;
            }
            var latest = LatestRecords(delta, t);
            await WriteAsync(table, latest).ConfigureAwait(false);
            await table.Database.StringSetAsync(table.Keys.DeltaSeqKey, delta.Seq).ConfigureAwait(false);
            var ids = latest.Keys.ToArray();
            cacheOf?.Invoke(table.Description.Name)?.Invalidate(ids);
            changes.Add(new TableChange(table.Description.Name, ids));
            upserts += delta.Tables[t].Upserts;
            deletes += delta.Tables[t].Deletes;
        }
        return new DeltaApplyResult(delta.Path, delta.Seq, changes.Count > 0, upserts, deletes, changes, delta.DenseUpdates);
    }

    private static async Task<bool> ShouldApplyAsync(DeltaFile delta, RedisClusterTable table)
    {
        var stored = await table.Database.StringGetAsync(table.Keys.DeltaSeqKey).ConfigureAwait(false);
        var last = stored.IsNull ? 0 : long.Parse(stored.ToString(), CultureInfo.InvariantCulture);
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
