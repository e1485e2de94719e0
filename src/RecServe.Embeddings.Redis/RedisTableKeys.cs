using System.Buffers.Binary;
using System.Text;
using RecServe.Embeddings.Tables;
using StackExchange.Redis;

namespace RecServe.Embeddings.Redis;

/// <summary>
/// Names of one table content's keys in the cluster. Rows: <c>rs:{T:H:g}</c> followed by the id's 8 little-endian
/// bytes (layout keys) or the hash <c>rs:{T:H:g}</c> with the id's 8 bytes as field (layout hashes), where T is the
/// table, H its <see cref="TableDescription.ContentHash"/> and g the id's group. The braces are a Redis hash tag:
/// the keys of one group share a slot, so a batch needs one command per group, while the groups spread the table
/// over every shard (a tag per table would put the whole table on one shard). Bookkeeping keys
/// <c>rs:T:H:complete</c>, <c>:progress</c> and <c>:delta_seq</c> say whether the copy is whole and how far a push or
/// the deltas got; <c>:delta_lock</c> is held by the replica writing a delta.
/// </summary>
public sealed class RedisTableKeys
{
    private readonly byte[][] _groupPrefixes;

    /// <summary>Keys of <paramref name="table"/> stored in <paramref name="layout"/> with <paramref name="groups"/> groups.</summary>
    public RedisTableKeys(TableDescription table, RedisRowLayout layout, int groups)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentOutOfRangeException.ThrowIfLessThan(groups, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(groups, MaxGroups);
        Table = table;
        Layout = layout;
        Groups = groups;
        var root = $"rs:{table.Name}:{table.ContentHash}";
        CompleteKey = root + ":complete";
        ProgressKey = root + ":progress";
        DeltaSeqKey = root + ":delta_seq";
        DeltaLockKey = root + ":delta_lock";
        _groupPrefixes = new byte[groups][];
        for (var g = 0; g < groups; g++)
        {
            _groupPrefixes[g] = Encoding.UTF8.GetBytes($"rs:{{{table.Name}:{table.ContentHash}:{g}}}");
        }
    }

    /// <summary>Most groups a table may have: as many as the cluster has slots.</summary>
    public const int MaxGroups = 16384;

    /// <summary>Groups unless the push says otherwise: 64 per shard for up to 16 shards, a few ids per command for batches of thousands.</summary>
    public const int DefaultGroups = 1024;

    /// <summary>The table described.</summary>
    public TableDescription Table { get; }

    /// <summary>How rows are stored.</summary>
    public RedisRowLayout Layout { get; }

    /// <summary>How many groups ids are split into.</summary>
    public int Groups { get; }

    /// <summary>Written last by a push: its presence means every row is in the cluster.</summary>
    public RedisKey CompleteKey { get; }

    /// <summary>The bucket a push resumes from.</summary>
    public RedisKey ProgressKey { get; }

    /// <summary>The last delta seq applied to the cluster copy.</summary>
    public RedisKey DeltaSeqKey { get; }

    /// <summary>Held (with an expiry) by the one replica writing a delta into the copy, so that writers take turns.</summary>
    public RedisKey DeltaLockKey { get; }

    /// <summary>The group of <paramref name="id"/>: a mix of its bits mapped onto [0, Groups) by multiply-shift.</summary>
    public int GroupOf(long id)
    {
        var h = (ulong)id * 0xD6E8FEB86659FD93UL;
        h ^= h >> 32;
        return (int)(((h & 0xFFFFFFFFUL) * (ulong)Groups) >> 32);
    }

    /// <summary>The hash holding group <paramref name="group"/>'s rows (layout hashes).</summary>
    public RedisKey GroupKey(int group) => _groupPrefixes[group];

    /// <summary>The string key of <paramref name="id"/>'s row (layout keys).</summary>
    public RedisKey RowKey(long id)
    {
        var prefix = _groupPrefixes[GroupOf(id)];
        var key = new byte[prefix.Length + sizeof(long)];
        prefix.CopyTo(key, 0);
        BinaryPrimitives.WriteInt64LittleEndian(key.AsSpan(prefix.Length), id);
        return key;
    }

    /// <summary>The hash field of <paramref name="id"/> (layout hashes).</summary>
    public static RedisValue Field(long id)
    {
        var field = new byte[sizeof(long)];
        BinaryPrimitives.WriteInt64LittleEndian(field, id);
        return field;
    }
}
