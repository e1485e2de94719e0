using System.Globalization;
using System.Runtime.InteropServices;
using RecServe.Embeddings.Tables;
using RecServe.Embeddings.Tiers;
using StackExchange.Redis;

namespace RecServe.Bench;

/// <summary>
/// What users build today: one key per id (<c>plain:{id}</c>, fp32 bytes), looked up with StackExchange.Redis by
/// grouping a batch's keys per hash slot (a cluster refuses cross-slot MGET) and sending every MGET at once.
/// </summary>
internal sealed class PlainMgetClient(IConnectionMultiplexer connection) : IEmbeddingTier
{
    private const int RowDim = 64;
    private readonly IDatabase _db = connection.GetDatabase();

    public int Dim => RowDim;

    public TierMetrics Metrics { get; } = new();

    public static async Task PushAsync(IConnectionMultiplexer connection, EmbeddingTable table, long[] ids)
    {
        var db = connection.GetDatabase();
        for (var start = 0; start < ids.Length; start += 4096)
        {
            var tasks = new List<Task>();
            for (var i = start; i < Math.Min(ids.Length, start + 4096); i++)
            {
                table.TryGetRow(ids[i], out var row);
                tasks.Add(db.StringSetAsync(Key(ids[i]), table.GetRowBytes(row).ToArray()));
            }
            await Task.WhenAll(tasks);
        }
    }

    public int Gather(ReadOnlySpan<long> ids, Span<float> rows, Span<bool> found)
    {
        var bySlot = new Dictionary<int, List<int>>();
        for (var i = 0; i < ids.Length; i++)
        {
            var slot = connection.HashSlot(Key(ids[i]));
            if (!bySlot.TryGetValue(slot, out var positions))
            {
                bySlot[slot] = positions = [];
            }
            positions.Add(i);
        }
        var requests = new List<(List<int> Positions, Task<RedisValue[]> Task)>(bySlot.Count);
        foreach (var positions in bySlot.Values)
        {
            var keys = new RedisKey[positions.Count];
            for (var j = 0; j < keys.Length; j++)
            {
                keys[j] = Key(ids[positions[j]]);
            }
            requests.Add((positions, _db.StringGetAsync(keys)));
        }
        var hits = 0;
        foreach (var (positions, task) in requests)
        {
            var values = task.GetAwaiter().GetResult();
            for (var j = 0; j < values.Length; j++)
            {
                var i = positions[j];
                found[i] = !values[j].IsNull;
                if (found[i])
                {
                    MemoryMarshal.Cast<byte, float>(((ReadOnlyMemory<byte>)values[j]).Span).CopyTo(rows.Slice(i * RowDim, RowDim));
                    hits++;
                }
            }
        }
        return hits;
    }

    private static RedisKey Key(long id) => "plain:" + id.ToString(CultureInfo.InvariantCulture);
}
