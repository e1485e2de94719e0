using RecServe.Core.Errors;
using RecServe.Core.Tensors;
using RecServe.Embeddings.Cache;
using RecServe.Embeddings.Deltas;
using RecServe.Embeddings.Tiers;

namespace RecServe.Embeddings.Redis.Tests;

[Collection(RedisClusterCollection.Name)]
public sealed class RedisClusterTierTests(RedisClusterFixture cluster) : IDisposable
{
    private readonly ClusterTables _tables = new();

    public void Dispose() => _tables.Dispose();

    private RedisClusterSettings Settings(RedisFailureMode mode = RedisFailureMode.Degrade) =>
        RedisClusterSettings.FromEndpointList(cluster.Endpoints) with { Timeout = TimeSpan.FromMilliseconds(500), OnFailure = mode };

    [Theory]
    [InlineData(TensorDataType.Float32, RedisRowLayout.Keys)]
    [InlineData(TensorDataType.Float16, RedisRowLayout.Keys)]
    [InlineData(TensorDataType.Int8, RedisRowLayout.Keys)]
    [InlineData(TensorDataType.Float32, RedisRowLayout.Hashes)]
    [InlineData(TensorDataType.Int8, RedisRowLayout.Hashes)]
    public async Task GathersEqualTheLocalTableBitForBit(TensorDataType dataType, RedisRowLayout layout)
    {
        var (folder, table, ids) = _tables.Write($"eq_{dataType}_{layout}", 3000, 24, dataType, defaultRow: Enumerable.Repeat(0.5f, 24).ToArray());
        using var tier = await ClusterTables.PushAndOpenAsync(Settings(), folder, table, layout);
        var cached = new CachedTier(new HotRowCache(24, 1 << 20), tier);
        var asked = ids.Concat([11, 12, 13]).Reverse().ToArray();
        var local = ClusterTables.Gather(new LocalTableTier(table), asked);

        var remote = ClusterTables.Gather(tier, asked);
        var (lookups, hits, misses) = (tier.Metrics.Lookups, tier.Metrics.Hits, tier.Metrics.Misses);
        ClusterTables.Gather(cached, asked);
        var throughCache = ClusterTables.Gather(cached, asked);

        Assert.Equal(local.Found, remote.Found);
        Assert.Equal(local.Found, throughCache.Found);
        for (var i = 0; i < asked.Length; i++)
        {
            if (local.Found[i])
            {
                Assert.Equal(BitsOf(local.Rows, i, 24), BitsOf(remote.Rows, i, 24));
                Assert.Equal(BitsOf(local.Rows, i, 24), BitsOf(throughCache.Rows, i, 24));
            }
        }
        Assert.Equal((asked.Length, ids.Length, 3L), (lookups, hits, misses));
        Assert.True(cached.Metrics.Hits > 0);
    }

    [Fact]
    public async Task HalfPushedTableIsRefusedAndThePushResumes()
    {
        var (folder, table, ids) = _tables.Write("half", 5000, 8, TensorDataType.Float32);
        var settings = Settings();
        using var connection = await RedisConnector.ConnectAsync(settings);
        using var stop = new CancellationTokenSource();
        var pusher = new RedisTablePusher(connection, table, folder, chunkRows: 1000);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pusher.PushAsync(new SyncProgress(_ => stop.Cancel()), stop.Token));

        var refused = await Assert.ThrowsAsync<ServingException>(() => RedisClusterTier.OpenAsync(settings, folder));
        Assert.Equal(ServingErrorCode.FailedPrecondition, refused.Code);
        Assert.Contains("push stopped after", refused.Message, StringComparison.Ordinal);

        var resumed = await new RedisTablePusher(connection, table, folder, chunkRows: 1000).PushAsync();
        Assert.True(resumed.ResumedFromRows > 0);
        Assert.Equal(5000, resumed.Marker.Rows);
        using var tier = await RedisClusterTier.OpenAsync(settings, folder);
        Assert.Equal(ids.Length, tier.Gather(ids, new float[ids.Length * 8], new bool[ids.Length]));
        Assert.True((await new RedisTablePusher(connection, table, folder).PushAsync()).AlreadyComplete);
    }

    [Fact]
    public async Task ADenseRangeTableIsPushedWholeAcrossAResumeAndServesBitForBit()
    {
        // The range covers id 0, which the pusher writes apart from the entries it walks.
        var (folder, table, ids) = _tables.WriteRange("range", -5, 3000, 16, TensorDataType.Int8);
        var settings = Settings();
        using var connection = await RedisConnector.ConnectAsync(settings);
        using var stop = new CancellationTokenSource();
        var pusher = new RedisTablePusher(connection, table, folder, chunkRows: 700);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pusher.PushAsync(new SyncProgress(_ => stop.Cancel()), stop.Token));
        var resumed = await new RedisTablePusher(connection, table, folder, chunkRows: 700).PushAsync();
        Assert.True(resumed.ResumedFromRows > 0);
        Assert.Equal(3000, resumed.Marker.Rows);

        using var tier = await RedisClusterTier.OpenAsync(settings, folder);
        var asked = ids.Concat([-6, 2995, long.MaxValue]).ToArray();
        var local = ClusterTables.Gather(new LocalTableTier(table), asked);
        var remote = ClusterTables.Gather(tier, asked);

        Assert.Equal(local.Found, remote.Found);
        Assert.Equal(ids.Length, local.Found.Count(f => f));
        for (var i = 0; i < ids.Length; i++)
        {
            Assert.Equal(BitsOf(local.Rows, i, 16), BitsOf(remote.Rows, i, 16));
        }
    }

    [Fact]
    public async Task DeltaChangesTheClusterCopyAndDropsCachedRows()
    {
        var (folder, table, ids) = _tables.Write("delta", 1000, 4, TensorDataType.Float32);
        using var tier = await ClusterTables.PushAndOpenAsync(Settings(), folder, table);
        var cache = new HotRowCache(4, 1 << 20);
        var cached = new CachedTier(cache, tier);
        long[] changed = [ids[1], ids[2], 777];
        ClusterTables.Gather(cached, changed);
        ClusterTables.Gather(cached, changed);
        var path = Path.Combine(Path.GetDirectoryName(folder)!, "1.delta");
        using (var writer = new DeltaFileWriter(path, 1, [DeltaTableSchema.Of(table)]))
        {
            writer.Upsert(0, ids[1], [1, 2, 3, 4]);
            writer.Upsert(0, 777, [5, 6, 7, 8]);
            writer.Delete(0, ids[2]);
            writer.Complete();
        }
        var delta = DeltaFile.Open(path);

        var result = await RedisDeltaApplier.ApplyAsync(delta, [tier.Table], _ => cache);
        var again = await RedisDeltaApplier.ApplyAsync(delta, [tier.Table], _ => cache);
        var (rows, found) = ClusterTables.Gather(cached, changed);

        Assert.True(result.Applied);
        Assert.Equal(3, result.Changes[0].Ids.Length);
        Assert.False(again.Applied);
        Assert.Equal([true, false, true], found);
        Assert.Equal([1f, 2, 3, 4], rows[..4]);
        Assert.Equal([5f, 6, 7, 8], rows[8..]);
    }

    [Fact]
    public async Task DegradeServesDefaultRowsWhileAMasterIsDownAndRecovers()
    {
        var defaultRow = Enumerable.Repeat(-1f, 16).ToArray();
        var (folder, table, ids) = _tables.Write("degrade", 4000, 16, TensorDataType.Float16, defaultRow);
        using var tier = await ClusterTables.PushAndOpenAsync(Settings(RedisFailureMode.Degrade), folder, table);
        var killedPort = cluster.Ports[1];
        var onKilled = ids.Select(id => ClusterTables.PortOf(tier, id) == killedPort).ToArray();
        var local = ClusterTables.Gather(new LocalTableTier(table), ids);

        var errors = await UnderLoadAsync(tier, ids, () => cluster.KillMaster(1));
        var (rows, found) = ClusterTables.Gather(tier, ids);

        Assert.Empty(errors);
        Assert.True(tier.Metrics.DegradedLookups > 0);
        for (var i = 0; i < ids.Length; i++)
        {
            Assert.Equal(!onKilled[i], found[i]);
            Assert.Equal(onKilled[i] ? defaultRow : local.Rows.AsSpan(i * 16, 16).ToArray(), rows.AsSpan(i * 16, 16).ToArray());
        }
        await cluster.RestartMasterAsync(1);
        await AssertRecoversWithinFiveSecondsAsync(tier, ids, local.Rows);
    }

    [Fact]
    public async Task FailModeThrowsOnlyUnavailableAndRecovers()
    {
        var (folder, table, ids) = _tables.Write("fail", 4000, 16, TensorDataType.Int8);
        using var tier = await ClusterTables.PushAndOpenAsync(Settings(RedisFailureMode.Fail), folder, table);
        var local = ClusterTables.Gather(new LocalTableTier(table), ids);

        var errors = await UnderLoadAsync(tier, ids, () => cluster.KillMaster(2));
        var error = Assert.Throws<ServingException>(() => ClusterTables.Gather(tier, ids));

        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.Equal(ServingErrorCode.Unavailable, Assert.IsType<ServingException>(e).Code));
        Assert.Equal(ServingErrorCode.Unavailable, error.Code);
        Assert.Equal(0, tier.Metrics.DegradedLookups);
        await cluster.RestartMasterAsync(2);
        await AssertRecoversWithinFiveSecondsAsync(tier, ids, local.Rows);
    }

    // Gathers batches of 256 ids on two threads; kills a master after 200 ms and keeps going for another second.
    // Returns every exception a gather threw. Each gather must also end within its timeout plus a margin.
    private static async Task<List<Exception>> UnderLoadAsync(RedisClusterTier tier, long[] ids, Action kill)
    {
        var errors = new List<Exception>();
        var slowest = TimeSpan.Zero;
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, 2).Select(w => Task.Run(() =>
        {
            var random = new Random(w);
            var batch = new long[256];
            var rows = new float[batch.Length * tier.Dim];
            var found = new bool[batch.Length];
            while (!stop.IsCancellationRequested)
            {
                for (var i = 0; i < batch.Length; i++)
                {
                    batch[i] = ids[random.Next(ids.Length)];
                }
                var clock = System.Diagnostics.Stopwatch.StartNew();
                try
                {
                    tier.Gather(batch, rows, found);
                }
                catch (Exception e)
                {
                    lock (errors)
                    {
                        errors.Add(e);
                    }
                }
                lock (errors)
                {
                    slowest = clock.Elapsed > slowest ? clock.Elapsed : slowest;
                }
            }
        })).ToArray();
        await Task.Delay(200);
        kill();
        await Task.Delay(1000);
        await stop.CancelAsync();
        await Task.WhenAll(workers);
        Assert.True(slowest < tier.Settings.EffectiveTimeout + TimeSpan.FromMilliseconds(500), $"a gather took {slowest.TotalMilliseconds:F0} ms");
        return errors;
    }

    private static async Task AssertRecoversWithinFiveSecondsAsync(RedisClusterTier tier, long[] ids, float[] expected)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var (rows, found) = ClusterTables.Gather(tier, ids);
                if (found.All(f => f) && rows.AsSpan().SequenceEqual(expected))
                {
                    return;
                }
            }
            catch (ServingException)
            {
            }
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), "the tier did not serve every row again within 5 s of the master's return");
            await Task.Delay(50);
        }
    }

    private static int[] BitsOf(float[] rows, int row, int dim) =>
        rows.AsSpan(row * dim, dim).ToArray().Select(BitConverter.SingleToInt32Bits).ToArray();

    private sealed class SyncProgress(Action<RedisPushProgress> report) : IProgress<RedisPushProgress>
    {
        public void Report(RedisPushProgress value) => report(value);
    }
}
