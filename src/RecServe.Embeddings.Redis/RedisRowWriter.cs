using StackExchange.Redis;

namespace RecServe.Embeddings.Redis;

/// <summary>
/// Writes and deletes encoded rows of one table in the cluster, one command per id group (MSET / HSET / DEL / HDEL),
/// all pipelined; the returned task completes when every command has. Used by pushes and deltas, never by lookups.
/// </summary>
internal static class RedisRowWriter
{
    /// <summary>Stores rows <paramref name="rows"/>[i·stride ..] under <paramref name="ids"/>[i], for i &lt; <paramref name="count"/>.</summary>
    public static Task UpsertAsync(IDatabaseAsync db, RedisTableKeys keys, long[] ids, byte[] rows, int count)
    {
        var stride = keys.Table.RowStride;
        var tasks = new List<Task>();
        foreach (var (group, positions) in ByGroup(keys, ids, count))
        {
            if (keys.Layout == RedisRowLayout.Keys)
            {
                var pairs = new KeyValuePair<RedisKey, RedisValue>[positions.Count];
                for (var j = 0; j < pairs.Length; j++)
                {
                    var i = positions[j];
                    pairs[j] = new(keys.RowKey(ids[i]), rows.AsMemory(i * stride, stride));
                }
                tasks.Add(db.StringSetAsync(pairs));
            }
            else
            {
                var entries = new HashEntry[positions.Count];
                for (var j = 0; j < entries.Length; j++)
                {
                    var i = positions[j];
                    entries[j] = new HashEntry(RedisTableKeys.Field(ids[i]), rows.AsMemory(i * stride, stride));
                }
                tasks.Add(db.HashSetAsync(keys.GroupKey(group), entries));
            }
        }
        return Task.WhenAll(tasks);
    }

    /// <summary>Removes the rows of the first <paramref name="count"/> of <paramref name="ids"/>.</summary>
    public static Task DeleteAsync(IDatabaseAsync db, RedisTableKeys keys, long[] ids, int count)
    {
        var tasks = new List<Task>();
        foreach (var (group, positions) in ByGroup(keys, ids, count))
        {
            if (keys.Layout == RedisRowLayout.Keys)
            {
                tasks.Add(db.KeyDeleteAsync(positions.Select(i => keys.RowKey(ids[i])).ToArray()));
            }
            else
            {
                tasks.Add(db.HashDeleteAsync(keys.GroupKey(group), positions.Select(i => RedisTableKeys.Field(ids[i])).ToArray()));
            }
        }
        return Task.WhenAll(tasks);
    }

    private static Dictionary<int, List<int>> ByGroup(RedisTableKeys keys, long[] ids, int count)
    {
        var groups = new Dictionary<int, List<int>>();
        for (var i = 0; i < count; i++)
        {
            var group = keys.GroupOf(ids[i]);
            if (!groups.TryGetValue(group, out var positions))
            {
                groups[group] = positions = [];
            }
            positions.Add(i);
        }
        return groups;
    }
}
