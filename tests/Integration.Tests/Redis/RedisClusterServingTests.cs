using System.Diagnostics;
using Grpc.Core;
using RecServe.Embeddings.Deltas;
using RecServe.Embeddings.Redis;
using RecServe.Embeddings.Redis.Tests;
using RecServe.Embeddings.Tables;
using RecServe.Runtime.Tests.Bundles;
using StackExchange.Redis;
using Tensorflow.Serving;
using Xunit.Abstractions;

namespace Integration.Tests.Redis;

/// <summary>
/// The real server serving a bundle whose table "ta" lives in a real 3-master Redis Cluster: the same predictions as the
/// same bundle with local tables, a half-pushed table refused, deltas written into the cluster copy, and a master
/// killed under load with each failure mode.
/// </summary>
[Collection(RedisClusterCollection.Name)]
public sealed class RedisClusterServingTests : IDisposable
{
    private readonly RedisClusterFixture _cluster;
    private readonly ITestOutputHelper _output;
    private readonly string _state = Path.Combine(Path.GetTempPath(), "recserve-redis-serving", Guid.NewGuid().ToString("N"));
    private readonly List<IDisposable> _owned = [];

    public RedisClusterServingTests(RedisClusterFixture cluster, ITestOutputHelper output)
    {
        _cluster = cluster;
        _output = output;
        // Every test bundle writes the same table content, hence the same cluster keys: start each test empty.
        cluster.FlushAll();
    }

    [Fact]
    public async Task ClusterTierPredictsBitForBitAsLocalTablesAndFlagsOverrideTheManifest()
    {
        var local = Own(new TestBundle(ClusterBundle.DenseGraph));
        // The manifest names a port nothing listens on; --redis_endpoints points the server at the real cluster.
        var cluster = Own(ClusterBundle.Create($"127.0.0.1:{ServerProcess.FreePort()}", cacheBytes: 4096));
        await ClusterBundle.PushAsync(cluster.VersionPath, _cluster.Endpoints);
        var config = ClusterBundle.WriteConfig(_state, ("local", local.BasePath), ("cluster", cluster.BasePath));
        await using var server = await ServerProcess.StartAsync("--model_config_file", config, "--redis_endpoints", _cluster.Endpoints,
            "--state_dir", _state, "--enable_batching");

        for (var round = 0; round < 2; round++)
        {
            // Round 0 reads the cluster; round 1 is served from the hot cache in front of it.
            for (var shift = 0; shift < 5; shift++)
            {
                var expected = await ClusterBundle.PredictAsync(server, ClusterBundle.Request("local", shift));
                var actual = await ClusterBundle.PredictAsync(server, ClusterBundle.Request("cluster", shift));
                Assert.Equal(expected, actual);
            }
        }
        var metrics = await server.Http.GetStringAsync("/metrics");
        Assert.True(MetricsText.Value(metrics, Series("recserve_embedding_lookups_total", "cluster", "redis")) > 0);
        Assert.True(MetricsText.Value(metrics, Series("recserve_embedding_hits_total", "cluster", "cache")) > 0);
        Assert.Equal(0, MetricsText.Value(metrics, Series("recserve_embedding_degraded_lookups_total", "cluster", "redis")));
    }

    [Fact]
    public async Task TheModelConfigsRedisSettingsOverrideTheManifest()
    {
        var local = Own(new TestBundle(ClusterBundle.DenseGraph));
        var cluster = Own(ClusterBundle.Create($"127.0.0.1:{ServerProcess.FreePort()}", cacheBytes: 0));
        await ClusterBundle.PushAsync(cluster.VersionPath, _cluster.Endpoints);
        Directory.CreateDirectory(_state);
        // No --redis_* flag: the cluster model's entry in the config file points it at the real cluster.
        var config = Path.Combine(_state, "models.json");
        File.WriteAllText(config, System.Text.Json.JsonSerializer.Serialize(new
        {
            model_config_list = new
            {
                config = new object[]
                {
                    new { name = "local", base_path = local.BasePath },
                    new { name = "cluster", base_path = cluster.BasePath, redis = new { endpoints = _cluster.Endpoints, timeout_ms = 2000, on_failure = "fail" } },
                },
            },
        }));
        await using var server = await ServerProcess.StartAsync("--model_config_file", config, "--state_dir", _state);

        var expected = await ClusterBundle.PredictAsync(server, ClusterBundle.Request("local", 1));
        Assert.Equal(expected, await ClusterBundle.PredictAsync(server, ClusterBundle.Request("cluster", 1)));
    }

    [Fact]
    public async Task HalfPushedTableIsRefusedAndThePreviousVersionKeepsServing()
    {
        var bundle = Own(ClusterBundle.Create(_cluster.Endpoints));
        await ClusterBundle.PushAsync(bundle.VersionPath, _cluster.Endpoints);
        await using var server = await ServerProcess.StartAsync("--model_name", "cluster", "--model_base_path", bundle.BasePath,
            "--state_dir", _state, "--file_system_poll_wait_seconds", "0.2");
        var before = await ClusterBundle.PredictAsync(server, ClusterBundle.Request("cluster"));

        // Version 2: other rows for "ta" (another content), whose push stopped after 20 of 50 rows.
        var version2 = Path.Combine(bundle.BasePath, "2.tmp");
        CopyFolder(bundle.VersionPath, version2);
        Directory.Delete(Path.Combine(version2, "tables", "ta"), recursive: true);
        WriteTable(Path.Combine(version2, "tables", "ta"), seed: 99);
        await ClusterBundle.PushAsync(version2, _cluster.Endpoints);
        await MakeHalfPushedAsync(Path.Combine(version2, "tables", "ta"), rows: 20);
        Directory.Move(version2, Path.Combine(bundle.BasePath, "2"));

        GetModelStatusResponse? status = null;
        await ServerProcess.WaitForAsync(async () =>
        {
            status = await server.Models.GetModelStatusAsync(new GetModelStatusRequest { ModelSpec = new ModelSpec { Name = "cluster" } });
            return status.ModelVersionStatus.Any(v => v.Version == 2 && v.Status.ErrorMessage.Length > 0);
        }, TimeSpan.FromSeconds(60), "version 2 to fail to load");
        var failed = status!.ModelVersionStatus.Single(v => v.Version == 2);
        Assert.Contains("not complete in the Redis cluster", failed.Status.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("stopped after 20 of 50 rows", failed.Status.ErrorMessage, StringComparison.Ordinal);
        Assert.NotEqual(ModelVersionStatus.Types.State.Available, failed.State);
        Assert.Equal(ModelVersionStatus.Types.State.Available, status.ModelVersionStatus.Single(v => v.Version == 1).State);
        Assert.Equal(before, await ClusterBundle.PredictAsync(server, ClusterBundle.Request("cluster")));
    }

    [Fact]
    public async Task DeltaFileChangesTheServedClusterRowsAsItChangesLocalOnes()
    {
        var local = Own(new TestBundle(ClusterBundle.DenseGraph));
        var cluster = Own(ClusterBundle.Create(_cluster.Endpoints, cacheBytes: 4096));
        await ClusterBundle.PushAsync(cluster.VersionPath, _cluster.Endpoints);
        var config = ClusterBundle.WriteConfig(_state, ("local", local.BasePath), ("cluster", cluster.BasePath));
        await using var server = await ServerProcess.StartAsync("--model_config_file", config, "--state_dir", _state,
            "--file_system_poll_wait_seconds", "0.2");
        // Twice: the second time the changed rows come from the hot cache, which the delta must invalidate.
        var before = await ClusterBundle.PredictAsync(server, ClusterBundle.Request("cluster"));
        Assert.Equal(before, await ClusterBundle.PredictAsync(server, ClusterBundle.Request("cluster")));

        WriteDelta(local, 1);
        WriteDelta(cluster, 1);
        foreach (var model in new[] { "local", "cluster" })
        {
            await ServerProcess.WaitForAsync(async () => await MetricsText.ScrapeAsync(server, $"recserve_delta_last_seq{{model=\"{model}\",version=\"1\"}}") == 1,
                TimeSpan.FromSeconds(30), $"delta 1 applied to {model}");
        }

        var after = await ClusterBundle.PredictAsync(server, ClusterBundle.Request("cluster"));
        Assert.NotEqual(before, after);
        Assert.Equal(await ClusterBundle.PredictAsync(server, ClusterBundle.Request("local")), after);
        // The rows changed in the shared copy, for every replica, and the copy records the seq it holds.
        await using var connection = await RedisConnector.ConnectAsync(RedisClusterSettings.FromEndpointList(_cluster.Endpoints));
        var table = await RedisClusterTable.OpenAsync(connection, EmbeddingTable.Describe(cluster.TablePath("ta")));
        Assert.Equal(1, (long)await table.Database.StringGetAsync(table.Keys.DeltaSeqKey));
        var rows = await table.Database.HashGetAsync(table.Keys.GroupKey(table.Keys.GroupOf(TestBundle.IdA(0))), RedisTableKeys.Field(TestBundle.IdA(0)));
        Assert.Equal(Enumerable.Repeat(7f, 3).ToArray(), Floats(rows));
    }

    [Fact]
    public async Task ADeltaTheClusterCannotTakeIsRetriedUntilTheMasterIsBack()
    {
        var bundle = Own(ClusterBundle.Create(_cluster.Endpoints));
        await ClusterBundle.PushAsync(bundle.VersionPath, _cluster.Endpoints);
        await using var server = await ServerProcess.StartAsync("--model_name", "cluster", "--model_base_path", bundle.BasePath,
            "--state_dir", _state, "--file_system_poll_wait_seconds", "0.2");
        var before = await ClusterBundle.PredictAsync(server, ClusterBundle.Request("cluster"));
        const string Seq = "recserve_delta_last_seq{model=\"cluster\",version=\"1\"}";

        _cluster.KillMaster(0);
        WriteDelta(bundle, 1);
        await ServerProcess.WaitForAsync(async () => await MetricsText.ScrapeAsync(server, "recserve_delta_failures_total{model=\"cluster\",version=\"1\"}") >= 1,
            TimeSpan.FromSeconds(30), "the delta to fail while a master is down");
        var status = await server.Models.GetModelStatusAsync(new GetModelStatusRequest { ModelSpec = new ModelSpec { Name = "cluster" } });
        Assert.Contains("retried at the next poll", Assert.Single(status.ModelVersionStatus).Status.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(0, await MetricsText.ScrapeAsync(server, Seq));

        // No file changes: the master's return alone lets the retry through.
        await _cluster.RestartMasterAsync(0);
        await ServerProcess.WaitForAsync(async () => await MetricsText.ScrapeAsync(server, Seq) == 1, TimeSpan.FromSeconds(30), "the delta applied after the restart");
        Assert.NotEqual(before, await ClusterBundle.PredictAsync(server, ClusterBundle.Request("cluster")));
        status = await server.Models.GetModelStatusAsync(new GetModelStatusRequest { ModelSpec = new ModelSpec { Name = "cluster" } });
        Assert.Equal("", Assert.Single(status.ModelVersionStatus).Status.ErrorMessage);
    }

    [Fact]
    public async Task MasterKilledUnderLoadWithDegradeFailsNoRequestAndCountsDegradedLookups()
    {
        var bundle = Own(ClusterBundle.Create(_cluster.Endpoints, onFailure: "degrade"));
        await ClusterBundle.PushAsync(bundle.VersionPath, _cluster.Endpoints);
        await using var server = await ServerProcess.StartAsync("--model_name", "cluster", "--model_base_path", bundle.BasePath, "--state_dir", _state);
        var healthy = await ClusterBundle.PredictAsync(server, ClusterBundle.Request("cluster"));
        var degradedSeries = Series("recserve_embedding_degraded_lookups_total", "cluster", "redis");

        await using var load = LoadRun.Start(server, "cluster");
        await load.WaitForSuccessesAsync(20);
        _cluster.KillMaster(1);
        await ServerProcess.WaitForAsync(async () => await MetricsText.ScrapeAsync(server, degradedSeries) > 0,
            TimeSpan.FromSeconds(30), "degraded lookups while a master is down");
        await _cluster.RestartMasterAsync(1);
        await ServerProcess.WaitForAsync(async () => (await ClusterBundle.PredictAsync(server, ClusterBundle.Request("cluster"))).SequenceEqual(healthy),
            TimeSpan.FromSeconds(30), "every row served again after the restart");
        var (successes, failures) = await load.StopAsync();

        _output.WriteLine($"degrade: {successes} requests succeeded, degraded lookups {await MetricsText.ScrapeAsync(server, degradedSeries)}");
        Assert.Empty(failures);
        Assert.True(successes > 20);
    }

    [Fact]
    public async Task MasterKilledUnderLoadWithFailAnswersOnlyUnavailableAndRecoversWithinFiveSeconds()
    {
        // The manifest says degrade; the server's flag makes it fail.
        var bundle = Own(ClusterBundle.Create(_cluster.Endpoints, onFailure: "degrade"));
        await ClusterBundle.PushAsync(bundle.VersionPath, _cluster.Endpoints);
        await using var server = await ServerProcess.StartAsync("--model_name", "cluster", "--model_base_path", bundle.BasePath, "--state_dir", _state,
            "--redis_on_failure", "fail");
        var healthy = await ClusterBundle.PredictAsync(server, ClusterBundle.Request("cluster"));

        await using var load = LoadRun.Start(server, "cluster");
        await load.WaitForSuccessesAsync(20);
        _cluster.KillMaster(2);
        await ServerProcess.WaitForAsync(() => Task.FromResult(load.Failures.Count > 0), TimeSpan.FromSeconds(30), "failed requests while a master is down");
        using (var rest = await server.Http.PostAsync("/v1/models/cluster:predict", new StringContent(
            "{\"instances\": [{\"dense\": [1, 2, 3, 4], \"a\": [1000, 1007, 1014, 1021], \"b\": [5]}]}")))
        {
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, rest.StatusCode);
            Assert.Contains("Redis shard is unavailable", await rest.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        var restart = load.Clock.Elapsed;
        await _cluster.RestartMasterAsync(2);
        await load.WaitForSuccessAfterAsync(restart, TimeSpan.FromSeconds(30));
        var (_, failures) = await load.StopAsync();

        var recovery = load.FirstSuccessAfter(restart)!.Value - restart;
        _output.WriteLine($"fail: {failures.Count} failed requests, recovery {recovery.TotalMilliseconds:F0} ms after the restart began");
        Assert.NotEmpty(failures);
        Assert.All(failures, f => Assert.Equal(StatusCode.Unavailable, f.Status.StatusCode));
        Assert.All(failures, f => Assert.Contains("table 'ta'", f.Status.Detail, StringComparison.Ordinal));
        Assert.True(recovery < TimeSpan.FromSeconds(5), $"recovery took {recovery.TotalSeconds:F1} s");
        Assert.Equal(healthy, await ClusterBundle.PredictAsync(server, ClusterBundle.Request("cluster")));
    }

    private static string Series(string name, string model, string tier) =>
        $"{name}{{model=\"{model}\",version=\"1\",table=\"ta\",tier=\"{tier}\"}}";

    private TestBundle Own(TestBundle bundle)
    {
        _owned.Add(bundle);
        return bundle;
    }

    /// <summary>Delta <paramref name="seq"/>: IdA(i)'s row becomes 7 + i everywhere (IdA(0)'s sevens).</summary>
    private static void WriteDelta(TestBundle bundle, long seq)
    {
        var folder = Directory.CreateDirectory(Path.Combine(bundle.VersionPath, "deltas")).FullName;
        var ta = EmbeddingTable.Describe(bundle.TablePath("ta"));
        var tb = EmbeddingTable.Describe(bundle.TablePath("tb"));
        var temp = Path.Combine(folder, "writing.tmp");
        using (var writer = new DeltaFileWriter(temp, seq,
            [new DeltaTableSchema(ta.Name, ta.Dim, ta.DataType), new DeltaTableSchema(tb.Name, tb.Dim, tb.DataType)]))
        {
            // Every id: rows in every group, hence on every master.
            for (var i = 0; i < 50; i++)
            {
                writer.Upsert(0, TestBundle.IdA(i), [7f + i, 7f + i, 7f + i]);
            }
            writer.Complete();
        }
        File.Move(temp, Path.Combine(folder, DeltaFormat.FileName(seq)));
    }

    private static float[] Floats(RedisValue value)
    {
        var bytes = (byte[])value!;
        var floats = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, floats, 0, bytes.Length);
        return floats;
    }

    /// <summary>Turns the complete push of the table in <paramref name="folder"/> into one that stopped after <paramref name="rows"/> rows.</summary>
    private async Task MakeHalfPushedAsync(string folder, long rows)
    {
        await using var connection = await RedisConnector.ConnectAsync(RedisClusterSettings.FromEndpointList(_cluster.Endpoints));
        var description = EmbeddingTable.Describe(folder);
        var keys = new RedisTableKeys(description, RedisRowLayout.Hashes, 64);
        var db = connection.GetDatabase();
        Assert.True(await db.KeyDeleteAsync(keys.CompleteKey));
        await db.StringSetAsync(keys.ProgressKey, new RedisTableMarker(RedisRowLayout.Hashes, 64, rows, 3).ToString());
    }

    private static void WriteTable(string folder, int seed)
    {
        var random = new Random(seed);
        using var writer = new EmbeddingTableWriter(folder, "ta", 3, RecServe.Core.Tensors.TensorDataType.Float32);
        for (var i = 0; i < 50; i++)
        {
            writer.Add(TestBundle.IdA(i), [(float)random.NextDouble(), (float)random.NextDouble(), (float)random.NextDouble()]);
        }
        writer.Complete();
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var directory in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(directory.Replace(from, to, StringComparison.Ordinal));
        }
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, file.Replace(from, to, StringComparison.Ordinal));
        }
    }

    public void Dispose()
    {
        _owned.ForEach(o => o.Dispose());
        try
        {
            Directory.Delete(_state, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
