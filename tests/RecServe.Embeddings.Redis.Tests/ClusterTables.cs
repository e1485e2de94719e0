using RecServe.Core.Tensors;
using RecServe.Embeddings.Tables;
using RecServe.Embeddings.Tiers;
using StackExchange.Redis;

namespace RecServe.Embeddings.Redis.Tests;

/// <summary>Local tables of random rows for the cluster tests, pushed into the cluster, and deleted on dispose.</summary>
internal sealed class ClusterTables : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("recserve-redis-tables-").FullName;
    private readonly List<EmbeddingTable> _opened = [];

    /// <summary>Writes a table named <paramref name="name"/> of <paramref name="rows"/> random rows (id 0 among them) and opens it.</summary>
    public (string Folder, EmbeddingTable Table, long[] Ids) Write(string name, int rows, int dim, TensorDataType dataType, float[]? defaultRow = null)
    {
        var random = new Random(name.GetHashCode(StringComparison.Ordinal));
        var ids = new HashSet<long> { 0 };
        while (ids.Count < rows)
        {
            ids.Add(random.NextInt64(long.MinValue, long.MaxValue));
        }
        return Write(name, ids.ToArray(), dim, dataType, random, defaultRow);
    }

    /// <summary>Writes a table of ids <paramref name="firstId"/>, firstId + 1, … (a dense key-range table) and opens it.</summary>
    public (string Folder, EmbeddingTable Table, long[] Ids) WriteRange(string name, long firstId, int rows, int dim, TensorDataType dataType)
    {
        var ids = new long[rows];
        for (var i = 0; i < rows; i++)
        {
            ids[i] = firstId + i;
        }
        var written = Write(name, ids, dim, dataType, new Random(name.GetHashCode(StringComparison.Ordinal)), defaultRow: null);
        if (written.Table.IndexKind != TableIndexKind.DenseRange)
        {
            throw new InvalidOperationException($"table {name} was written with a {written.Table.IndexKind} index");
        }
        return written;
    }

    private (string Folder, EmbeddingTable Table, long[] Ids) Write(string name, long[] idArray, int dim, TensorDataType dataType, Random random, float[]? defaultRow)
    {
        var rows = idArray.Length;
        var values = new float[rows * dim];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)(random.NextDouble() * 4 - 2);
        }
        var folder = Path.Combine(_root, name);
        using (var writer = new EmbeddingTableWriter(folder, name, dim, dataType, defaultRow))
        {
            writer.AddRange(idArray, values);
            writer.Complete();
        }
        var table = EmbeddingTable.Open(folder);
        _opened.Add(table);
        return (folder, table, idArray);
    }

    /// <summary>Pushes a table and opens its cluster tier.</summary>
    public static async Task<RedisClusterTier> PushAndOpenAsync(RedisClusterSettings settings, string folder, EmbeddingTable table,
        RedisRowLayout layout = RedisRowLayout.Hashes)
    {
        using (var connection = await RedisConnector.ConnectAsync(settings))
        {
            await new RedisTablePusher(connection, table, folder, layout, groups: 64, chunkRows: 500).PushAsync();
        }
        return await RedisClusterTier.OpenAsync(settings, folder);
    }

    /// <summary>Gathers <paramref name="ids"/> from <paramref name="tier"/>: rows and found flags.</summary>
    public static (float[] Rows, bool[] Found) Gather(IEmbeddingTier tier, long[] ids)
    {
        var rows = new float[ids.Length * tier.Dim];
        var found = new bool[ids.Length];
        tier.Gather(ids, rows, found);
        return (rows, found);
    }

    /// <summary>The master port that holds <paramref name="id"/>'s row.</summary>
    public static int PortOf(RedisClusterTier tier, long id)
    {
        var keys = tier.Table.Keys;
        var connection = tier.Table.Connection;
        var slot = connection.HashSlot(keys.GroupKey(keys.GroupOf(id)));
        var server = connection.GetServer(connection.GetEndPoints()[0]);
        var node = server.ClusterConfiguration!.GetBySlot(slot)!;
        return ((System.Net.IPEndPoint)node.EndPoint!).Port;
    }

    public void Dispose()
    {
        _opened.ForEach(t => t.Dispose());
        Directory.Delete(_root, recursive: true);
    }
}
