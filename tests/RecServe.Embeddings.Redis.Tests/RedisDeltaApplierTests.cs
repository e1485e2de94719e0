using RecServe.Core.Tensors;
using RecServe.Embeddings.Deltas;
using RecServe.Embeddings.Tables;
using StackExchange.Redis;

namespace RecServe.Embeddings.Redis.Tests;

/// <summary>Deltas reach a shared cluster copy exactly once and in order, however many replicas apply them.</summary>
[Collection(RedisClusterCollection.Name)]
public sealed class RedisDeltaApplierTests(RedisClusterFixture cluster) : IDisposable
{
    private const int Dim = 4;
    private readonly ClusterTables _tables = new();

    public void Dispose() => _tables.Dispose();

    private RedisClusterSettings Settings() => RedisClusterSettings.FromEndpointList(cluster.Endpoints) with { Timeout = TimeSpan.FromMilliseconds(500) };

    /// <summary>Pushes a table; the returned tier owns the connection its <c>Table</c> uses.</summary>
    private async Task<(RedisClusterTier Tier, long[] Ids, string Folder)> PushAsync(string name)
    {
        var (folder, table, ids) = _tables.Write(name, 200, Dim, TensorDataType.Float32);
        return (await ClusterTables.PushAndOpenAsync(Settings(), folder, table), ids, folder);
    }

    /// <summary>Delta <paramref name="seq"/> of table <paramref name="table"/>: ids[0] and ids[seq] become rows of seq.</summary>
    private static DeltaFile Delta(string folder, string table, long seq, long[] ids)
    {
        var path = Path.Combine(Path.GetDirectoryName(folder)!, $"{table}-{seq}.delta");
        using (var writer = new DeltaFileWriter(path, seq, [new DeltaTableSchema(table, Dim, TensorDataType.Float32)]))
        {
            writer.Upsert(0, ids[0], [seq, seq, seq, seq]);
            writer.Upsert(0, ids[seq], [seq, seq, seq, seq]);
            writer.Complete();
        }
        return DeltaFile.Open(path);
    }

    private static async Task<float[]> RowAsync(RedisClusterTable table, long id)
    {
        var value = await table.Database.HashGetAsync(table.Keys.GroupKey(table.Keys.GroupOf(id)), RedisTableKeys.Field(id));
        var bytes = (byte[])value!;
        var row = new float[bytes.Length / sizeof(float)];
        Buffer.BlockCopy(bytes, 0, row, 0, bytes.Length);
        return row;
    }

    [Fact]
    public async Task ReplicasApplyingTheSameDeltasConcurrentlyWriteEachOnceInOrder()
    {
        var (tier, ids, folder) = await PushAsync("replicas");
        tier.Dispose();
        var deltas = Enumerable.Range(1, 6).Select(s => Delta(folder, "replicas", s, ids)).ToArray();
        const int Replicas = 3;
        var writes = new int[deltas.Length + 1];

        async Task ReplicaAsync()
        {
            // Each replica has its own connection, as separate processes would.
            await using var connection = await RedisConnector.ConnectAsync(Settings());
            var table = await RedisClusterTable.OpenAsync(connection, EmbeddingTable.Describe(folder));
            foreach (var delta in deltas)
            {
                if ((await RedisDeltaApplier.ApplyAsync(delta, [table])).Applied)
                {
                    Interlocked.Increment(ref writes[delta.Seq]);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Replicas).Select(_ => Task.Run(ReplicaAsync)));

        Assert.Equal([0, 1, 1, 1, 1, 1, 1], writes);
        await using var check = await RedisConnector.ConnectAsync(Settings());
        var copy = await RedisClusterTable.OpenAsync(check, EmbeddingTable.Describe(folder));
        Assert.Equal(6, (long)await copy.Database.StringGetAsync(copy.Keys.DeltaSeqKey));
        Assert.Equal(new[] { 6f, 6, 6, 6 }, await RowAsync(copy, ids[0]));
        Assert.Equal(new[] { 3f, 3, 3, 3 }, await RowAsync(copy, ids[3]));
        Assert.False(await copy.Database.KeyExistsAsync(copy.Keys.DeltaLockKey));
    }

    [Fact]
    public async Task ADeltaOfOtherTablesStillAdvancesTheCopysSeq()
    {
        var (tier, _, folder) = await PushAsync("untouched");
        using var owned = tier;
        var table = tier.Table;
        var path = Path.Combine(Path.GetDirectoryName(folder)!, "other-1.delta");
        using (var writer = new DeltaFileWriter(path, 1, [new DeltaTableSchema("other", 2, TensorDataType.Float32)]))
        {
            writer.Upsert(0, 5, [1f, 2f]);
            writer.Complete();
        }

        var result = await RedisDeltaApplier.ApplyAsync(DeltaFile.Open(path), [table]);

        Assert.True(result.Applied);
        Assert.Empty(result.Changes);
        Assert.Equal(1, (long)await table.Database.StringGetAsync(table.Keys.DeltaSeqKey));
    }

    [Fact]
    public async Task AReplicaFindingTheLockTakenWaitsAndSkipsWhatTheHolderWrote()
    {
        var (tier, ids, folder) = await PushAsync("locked");
        using var owned = tier;
        var table = tier.Table;
        var before = await RowAsync(table, ids[1]);
        await table.Database.StringSetAsync(table.Keys.DeltaLockKey, "another-replica", TimeSpan.FromSeconds(60));

        var apply = RedisDeltaApplier.ApplyAsync(Delta(folder, "locked", 1, ids), [table]);
        // The holder finishes: its seq lands, then it releases the lock.
        await table.Database.StringSetAsync(table.Keys.DeltaSeqKey, 1);
        var result = await apply.WaitAsync(TimeSpan.FromSeconds(30));
        await table.Database.KeyDeleteAsync(table.Keys.DeltaLockKey);

        Assert.False(result.Applied);
        Assert.Equal(before, await RowAsync(table, ids[1]));
    }
}
