using RecServe.Core.Tensors;

namespace RecServe.Embeddings.Redis.Tests;

/// <summary>A version's cluster tables share one connection per cluster and client settings.</summary>
[Collection(RedisClusterCollection.Name)]
public sealed class RedisConnectionPoolTests(RedisClusterFixture cluster) : IDisposable
{
    private readonly ClusterTables _tables = new();

    public void Dispose() => _tables.Dispose();

    private static float[] Row(Tables.EmbeddingTable table, long id)
    {
        var row = new float[table.Dim];
        table.ReadRowOrDefault(id, row);
        return row;
    }

    [Fact]
    public async Task TablesOfOneClusterShareAConnectionAndOtherTimeoutsGetTheirOwn()
    {
        var settings = RedisClusterSettings.FromEndpointList(cluster.Endpoints) with { Timeout = TimeSpan.FromMilliseconds(500) };
        var (folderA, tableA, _) = _tables.Write("pool_a", 100, 4, TensorDataType.Float32);
        var (folderB, tableB, idsB) = _tables.Write("pool_b", 100, 4, TensorDataType.Float32);
        (await ClusterTables.PushAndOpenAsync(settings, folderA, tableA)).Dispose();
        (await ClusterTables.PushAndOpenAsync(settings, folderB, tableB)).Dispose();
        using var pool = new RedisConnectionPool();

        using var a = await RedisClusterTier.OpenAsync(settings, folderA, pool);
        using var b = await RedisClusterTier.OpenAsync(settings, folderB, pool);
        using var slow = await RedisClusterTier.OpenAsync(settings with { Timeout = TimeSpan.FromSeconds(2) }, folderB, pool);

        Assert.Same(a.Table.Connection, b.Table.Connection);
        Assert.NotSame(a.Table.Connection, slow.Table.Connection);
        Assert.Equal(2, pool.Count);
        // A tier does not own a pooled connection: disposing one leaves the other serving.
        a.Dispose();
        var (rows, found) = ClusterTables.Gather(b, [idsB[1]]);
        Assert.True(found[0]);
        Assert.Equal(Row(tableB, idsB[1]), rows);
        pool.Dispose();
        Assert.False(b.Table.Connection.IsConnected);
    }
}
