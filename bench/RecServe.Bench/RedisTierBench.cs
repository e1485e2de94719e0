using System.Diagnostics;
using System.Globalization;
using RecServe.Core.Tensors;
using RecServe.Embeddings.Cache;
using RecServe.Embeddings.Redis;
using RecServe.Embeddings.Tables;
using RecServe.Embeddings.Tiers;
using StackExchange.Redis;

namespace RecServe.Bench;

/// <summary>
/// <c>redis ENDPOINTS [ROWS] [BATCH]</c>: lookups/s of Zipf(1.05) ids, dim 64 fp32, one thread, against a running
/// Redis Cluster (bench/redis-cluster.sh starts one): local memory table, cluster tier (layout keys and hashes,
/// with and without a hot cache), and a plain StackExchange.Redis client doing MGETs per hash slot of one key per id.
/// </summary>
public static class RedisTierBench
{
    private const int Dim = 64;
    private static readonly TimeSpan RunTime = TimeSpan.FromSeconds(3);

    public static async Task RunAsync(string endpoints, int rows, int batch)
    {
        var folder = Path.Combine(BenchData.Root, "tables", $"redis_r{rows}_d{Dim}_fp32");
        var ids = WriteTable(folder, rows);
        using var table = EmbeddingTable.Open(folder, new TableOpenOptions { Residency = TableResidency.Memory });
        var settings = RedisClusterSettings.FromEndpointList(endpoints) with { Timeout = TimeSpan.FromSeconds(2) };
        await using var connection = await RedisConnector.ConnectAsync(settings);
        var batches = ZipfBatches(ids, batch, 400, 1.05);
        var cacheBytes = (long)rows * Dim * sizeof(float) / 10;
        Console.WriteLine($"table: {rows:N0} rows, dim {Dim} fp32; Zipf(1.05) ids, batches of {batch}, one thread; hot cache {cacheBytes / 1e6:F0} MB (10% of the table)");

        var local = Measure("local memory table", new LocalTableTier(table), batches);
        var results = new List<(string, double)>();
        foreach (var (layout, groups) in new[] { (RedisRowLayout.Keys, 1024), (RedisRowLayout.Hashes, 1024), (RedisRowLayout.Keys, 16384) })
        {
            // One table content, several layouts: drop the previous layout's marker so that this push writes its own.
            var pusher = new RedisTablePusher(connection, table, folder, layout, groups);
            await connection.GetDatabase().KeyDeleteAsync(pusher.Keys.CompleteKey);
            await pusher.PushAsync();
            var cluster = new RedisClusterTier(await RedisClusterTable.OpenAsync(connection, pusher.Keys.Table), settings);
            results.Add(Measure($"cluster tier {layout.ToString().ToLowerInvariant()}, {groups} groups", cluster, batches));
            var cached = new CachedTier(new HotRowCache(Dim, cacheBytes), cluster);
            results.Add(Measure($"  + hot cache", cached, batches));
        }
        await PlainMgetClient.PushAsync(connection, table, ids);
        results.Add(Measure("plain MGET client (key per id, MGET per slot)", new PlainMgetClient(connection), batches));
        Console.WriteLine();
        foreach (var (name, rate) in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-50} {rate / local.Rate,8:F4}x local"));
        }
    }

    private static (string Name, double Rate) Measure(string name, IEmbeddingTier tier, long[][] batches)
    {
        var rows = new float[batches[0].Length * Dim];
        var found = new bool[batches[0].Length];
        foreach (var b in batches.Take(50))
        {
            tier.Gather(b, rows, found);
        }
        var clock = Stopwatch.StartNew();
        long lookups = 0;
        var i = 0;
        while (clock.Elapsed < RunTime)
        {
            var b = batches[i++ % batches.Length];
            tier.Gather(b, rows, found);
            lookups += b.Length;
        }
        var rate = lookups / clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-50} {rate,14:N0} lookups/s"));
        return (name, rate);
    }

    private static long[] WriteTable(string folder, int rows)
    {
        var ids = new long[rows];
        for (var i = 0; i < rows; i++)
        {
            ids[i] = (long)((ulong)(i + 1) * 0xD6E8FEB86659FD93UL);
        }
        if (!File.Exists(Path.Combine(folder, TableFormat.MetaFileName)))
        {
            var random = new Random(1);
            var row = new float[Dim];
            using var writer = new EmbeddingTableWriter(folder, "redis_bench", Dim, TensorDataType.Float32) { ReplaceExisting = true };
            foreach (var id in ids)
            {
                for (var d = 0; d < Dim; d++)
                {
                    row[d] = (float)random.NextDouble();
                }
                writer.Add(id, row);
            }
            writer.Complete();
        }
        return ids;
    }

    // Zipf(s) over ranks 1..n by inverse CDF; rank r is the id ids[r-1], so the hottest ids are spread over the table.
    private static long[][] ZipfBatches(long[] ids, int batch, int count, double s)
    {
        var cdf = new double[ids.Length];
        double sum = 0;
        for (var r = 0; r < ids.Length; r++)
        {
            sum += 1 / Math.Pow(r + 1, s);
            cdf[r] = sum;
        }
        var random = new Random(7);
        var batches = new long[count][];
        for (var b = 0; b < count; b++)
        {
            batches[b] = new long[batch];
            for (var i = 0; i < batch; i++)
            {
                var rank = Array.BinarySearch(cdf, random.NextDouble() * sum);
                batches[b][i] = ids[Math.Min(rank < 0 ? ~rank : rank, ids.Length - 1)];
            }
        }
        return batches;
    }
}
