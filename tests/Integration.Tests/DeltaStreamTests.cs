using System.Diagnostics;
using RecServe.Core.Tensors;
using RecServe.Embeddings.Deltas;
using RecServe.Embeddings.Deltas.Streaming;
using RecServe.Embeddings.Redis.Streams;
using RecServe.Embeddings.Tables;
using RecServe.Runtime.Bundles;
using RecServe.Runtime.Onnx;
using RecServe.Runtime.Tests.Bundles;
using StackExchange.Redis;
using Tensorflow.Serving;
using Xunit.Abstractions;
using Tensor = RecServe.Core.Tensors.Tensor;

namespace Integration.Tests;

/// <summary>
/// Deltas published to a model's Redis stream (a real redis-server) reach a running server's predictions within a
/// second, exactly once across restarts; a damaged publication is refused whole; Redis going away stops nothing but
/// the stream, and consumption resumes where it stopped when Redis is back.
/// </summary>
public sealed class DeltaStreamTests(ITestOutputHelper output) : IDisposable
{
    private const string Model = "bundle";
    private const string Key = "recserve:deltas:" + Model;
    private static readonly long[] IdsA = [TestBundle.IdA(0), TestBundle.IdA(1)];
    private static readonly long[] IdsB = [TestBundle.IdB(0)];
    private static readonly float[] Dense = [0.5f, -1f, 0.25f, 2f];
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly TestBundle _bundle = new(Path.Combine(RepoPaths.Root, "tests", "fixtures", "bundle_dense", "dense.onnx"), cacheBytes: 4096);
    private readonly string _work = Directory.CreateTempSubdirectory("recserve-stream-tests-").FullName;

    private string State => Path.Combine(_work, "state");

    private string DeltaPath(long seq) => Path.Combine(_work, "published", DeltaFormat.FileName(seq));

    [Fact]
    public async Task APublishedDeltaIsVisibleWithinASecondAndARestartAppliesNothingTwice()
    {
        using var redis = await RedisServerProcess.StartAsync();
        WriteDelta(1, 7f);
        WriteDelta(2, -2f);
        WriteDelta(3, 5f);
        var server = await StartServerAsync(redis);
        try
        {
            Assert.Equal(Expected(0), await PredictAsync(server));
            await WaitForAsync(server, "recserve_delta_stream_up", 1);

            // Latency: from the publish call to the first prediction that shows the delta.
            var clock = Stopwatch.StartNew();
            await PublishAsync(redis, 1);
            var after1 = Expected(1);
            await ServerProcess.WaitForAsync(async () => (await PredictAsync(server)).SequenceEqual(after1), Deadline, "seq 1 in predictions");
            var latency = clock.Elapsed;
            output.WriteLine($"publish -> visible in a prediction: {latency.TotalMilliseconds:F0} ms");
            Assert.True(latency < TimeSpan.FromSeconds(5), $"seq 1 took {latency.TotalMilliseconds:F0} ms to show");

            // The command users run: validates, publishes, reports.
            using var publish = RecServeCommand.Start("delta", ["publish", DeltaPath(2), "--redis", redis.Endpoint, "--model", Model]);
            var printed = await publish.StandardOutput.ReadToEndAsync() + await publish.StandardError.ReadToEndAsync();
            await publish.WaitForExitAsync();
            Assert.True(publish.ExitCode == 0, printed);
            Assert.Contains($"published seq 2", printed, StringComparison.Ordinal);
            await WaitForAsync(server, Series("recserve_delta_last_seq"), 2);
            Assert.Equal(Expected(2), await PredictAsync(server));
            Assert.Equal(2, await MetricsText.ScrapeAsync(server, Series("recserve_delta_stream_deltas_applied_total")));
        }
        finally
        {
            await server.DisposeAsync();
        }

        // A restart resumes after the committed position: nothing read again, nothing applied twice.
        server = await StartServerAsync(redis);
        try
        {
            Assert.Equal(2, await MetricsText.ScrapeAsync(server, Series("recserve_delta_last_seq")));
            Assert.Equal(Expected(2), await PredictAsync(server));
            await WaitForAsync(server, "recserve_delta_stream_up", 1);
            await PublishAsync(redis, 3);
            await WaitForAsync(server, Series("recserve_delta_last_seq"), 3);
            Assert.Equal(Expected(3), await PredictAsync(server));
            var metrics = await server.Http.GetStringAsync("/metrics");
            Assert.Equal(1, MetricsText.Value(metrics, Series("recserve_delta_stream_entries_total")));
            Assert.Equal(1, MetricsText.Value(metrics, Series("recserve_delta_stream_deltas_applied_total")));
            Assert.Equal(1, MetricsText.Value(metrics, Series("recserve_deltas_applied_total")));
            Assert.Equal(0, MetricsText.Find(metrics, Series("recserve_delta_stream_deltas_skipped_total")) ?? 0);
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task ADamagedPublicationIsRefusedWholeAndItsRepublishAppliesWithTheDeltasAfterIt()
    {
        using var redis = await RedisServerProcess.StartAsync();
        WriteDelta(1, 7f);
        WriteDelta(2, -2f);
        await using var server = await StartServerAsync(redis);
        await WaitForAsync(server, "recserve_delta_stream_up", 1);
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Endpoint);
        var db = connection.GetDatabase();

        // Seq 1 twice damaged: a publication cut after 2 of its parts, then one whose part 2 lost a bit after it was
        // checksummed. Seq 2 is good but must wait for seq 1.
        var parts = Parts(1, partBytes: 40);
        Assert.True(parts.Count >= 3, $"the delta must span several entries, it has {parts.Count}");
        await AddAsync(db, parts[0].Encode());
        await AddAsync(db, parts[1].Encode());
        var corrupt = Parts(1, partBytes: 40);
        for (var k = 0; k < corrupt.Count; k++)
        {
            var fields = corrupt[k].Encode().ToList();
            if (k == 1)
            {
                var data = fields[^1].Value.ToArray();
                data[data.Length / 2] ^= 0x08;
                fields[^1] = new(DeltaStreamPart.Fields.Data, data);
            }
            await AddAsync(db, fields);
        }
        await PublishAsync(redis, 2);
        await WaitForAsync(server, Series("recserve_delta_failures_total"), 2, atLeast: true);

        Assert.Equal(0, await MetricsText.ScrapeAsync(server, Series("recserve_delta_last_seq")));
        Assert.Equal(Expected(0), await PredictAsync(server));
        var status = Assert.Single((await server.Models.GetModelStatusAsync(new GetModelStatusRequest { ModelSpec = new ModelSpec { Name = Model } })).ModelVersionStatus);
        Assert.Equal(ModelVersionStatus.Types.State.Available, status.State);
        Assert.Contains("delta seq 1 from the stream refused", status.Status.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("corrupt", status.Status.ErrorMessage, StringComparison.Ordinal);
        var dashboard = await server.Http.GetStringAsync("/v1/dashboard");
        Assert.Contains("\"waiting_for_seq\":1", dashboard, StringComparison.Ordinal);

        // Published again whole, seq 1 applies, and seq 2, read before it, follows at once.
        await PublishAsync(redis, 1);
        await WaitForAsync(server, Series("recserve_delta_last_seq"), 2);
        Assert.Equal(Expected(2), await PredictAsync(server));
        await ServerProcess.WaitForAsync(async () =>
            (await server.Models.GetModelStatusAsync(new GetModelStatusRequest { ModelSpec = new ModelSpec { Name = Model } })).ModelVersionStatus[0].Status.ErrorMessage.Length == 0,
            Deadline, "the refusal to clear from model status once the stream is applied again");
    }

    [Fact]
    public async Task WhileRedisIsDownServingContinuesTheLagGrowsAndConsumptionResumesWhereItStopped()
    {
        using var redis = await RedisServerProcess.StartAsync();
        WriteDelta(1, 7f);
        WriteDelta(2, -2f);
        await using var server = await StartServerAsync(redis);
        await WaitForAsync(server, "recserve_delta_stream_up", 1);
        await PublishAsync(redis, 1);
        await WaitForAsync(server, Series("recserve_delta_last_seq"), 1);
        var entriesBefore = await MetricsText.ScrapeAsync(server, Series("recserve_delta_stream_entries_total"));

        redis.Kill();
        await WaitForAsync(server, "recserve_delta_stream_up", 0);
        var lagDown = (await MetricsText.ScrapeAsync(server, "recserve_delta_stream_lag_seconds{model=\"bundle\"}"))!.Value;
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(Expected(1), await PredictAsync(server));
        }
        await ServerProcess.WaitForAsync(async () => await MetricsText.ScrapeAsync(server, "recserve_delta_stream_lag_seconds{model=\"bundle\"}") > lagDown + 2,
            Deadline, "the stream lag to grow while Redis is down");
        Assert.True(await MetricsText.ScrapeAsync(server, "recserve_delta_stream_errors_total{model=\"bundle\",version=\"1\",kind=\"unreachable\"}") >= 1);
        var status = (await server.Models.GetModelStatusAsync(new GetModelStatusRequest { ModelSpec = new ModelSpec { Name = Model } })).ModelVersionStatus[0];
        Assert.Equal(ModelVersionStatus.Types.State.Available, status.State);
        Assert.Contains("unreachable", status.Status.ErrorMessage, StringComparison.Ordinal);

        // Back on the same port with its data: the consumer resumes after seq 1's entries (reads none again) and applies seq 2.
        await redis.RestartAsync();
        await WaitForAsync(server, "recserve_delta_stream_up", 1);
        await PublishAsync(redis, 2);
        await WaitForAsync(server, Series("recserve_delta_last_seq"), 2);
        Assert.Equal(Expected(2), await PredictAsync(server));
        Assert.Equal(entriesBefore + 1, await MetricsText.ScrapeAsync(server, Series("recserve_delta_stream_entries_total")));
        Assert.True(await MetricsText.ScrapeAsync(server, "recserve_delta_stream_lag_seconds{model=\"bundle\"}") < 2);
    }

    [Fact]
    public async Task AFileDeltaFillsTheGapForStreamedOnesAndASeqAlreadyAppliedIsSkipped()
    {
        using var redis = await RedisServerProcess.StartAsync();
        WriteDelta(1, 7f);
        WriteDelta(2, -2f);
        await using var server = await StartServerAsync(redis);
        await WaitForAsync(server, "recserve_delta_stream_up", 1);

        // A damaged file is refused by publish itself: nothing reaches the stream.
        var damaged = Path.Combine(_work, "damaged.delta");
        var bytes = File.ReadAllBytes(DeltaPath(1));
        bytes[^20] ^= 0x10;
        File.WriteAllBytes(damaged, bytes);
        using (var publish = RecServeCommand.Start("delta", ["publish", damaged, "--redis", redis.Endpoint, "--model", Model]))
        {
            var printed = await publish.StandardError.ReadToEndAsync();
            await publish.WaitForExitAsync();
            Assert.Equal(1, publish.ExitCode);
            Assert.Contains("checksum mismatch", printed, StringComparison.Ordinal);
        }
        Assert.Contains("0", redis.Cli("xlen", Key), StringComparison.Ordinal);

        await PublishAsync(redis, 2);
        await ServerProcess.WaitForAsync(async () => (await server.Http.GetStringAsync("/v1/dashboard")).Contains("\"waiting_for_seq\":1", StringComparison.Ordinal),
            Deadline, "seq 2 to wait for seq 1");
        Directory.CreateDirectory(Path.Combine(_bundle.VersionPath, "deltas"));
        File.Copy(DeltaPath(1), Path.Combine(_bundle.VersionPath, "deltas", DeltaFormat.FileName(1)));
        await WaitForAsync(server, Series("recserve_delta_last_seq"), 2);
        Assert.Equal(Expected(2), await PredictAsync(server));

        await PublishAsync(redis, 1);
        await WaitForAsync(server, Series("recserve_delta_stream_deltas_skipped_total"), 1);
        Assert.Equal(2, await MetricsText.ScrapeAsync(server, Series("recserve_deltas_applied_total")));
        Assert.Equal(Expected(2), await PredictAsync(server));
    }

    private Task<ServerProcess> StartServerAsync(RedisServerProcess redis) =>
        ServerProcess.StartAsync("--model_name", Model, "--model_base_path", _bundle.BasePath, "--state_dir", State,
            "--file_system_poll_wait_seconds", "0.2", "--enable_batching", "--delta_stream_redis", redis.Endpoint);

    private static string Series(string name) => $"{name}{{model=\"{Model}\",version=\"1\"}}";

    private static Task WaitForAsync(ServerProcess server, string series, double value, bool atLeast = false)
    {
        if (!series.Contains('{', StringComparison.Ordinal))
        {
            series += $"{{model=\"{Model}\"}}";
        }
        return ServerProcess.WaitForAsync(async () => await MetricsText.ScrapeAsync(server, series) is { } v && (atLeast ? v >= value : v == value),
            Deadline, $"{series} to be {(atLeast ? "at least " : "")}{value}");
    }

    private async Task PublishAsync(RedisServerProcess redis, long seq)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Endpoint);
        var bytes = await File.ReadAllBytesAsync(DeltaPath(seq));
        await RedisDeltaPublisher.PublishAsync(connection.GetDatabase(), Key, DeltaFile.Parse(bytes, DeltaPath(seq)), bytes, DateTimeOffset.UtcNow);
    }

    private IReadOnlyList<DeltaStreamPart> Parts(long seq, int partBytes)
    {
        var bytes = File.ReadAllBytes(DeltaPath(seq));
        var delta = DeltaFile.Parse(bytes, DeltaPath(seq));
        return DeltaStreamPart.Split(bytes, seq, delta.Checksum, DateTimeOffset.UtcNow, DeltaStreamPart.NewPublication(), partBytes);
    }

    private static Task AddAsync(IDatabase db, IEnumerable<KeyValuePair<string, ReadOnlyMemory<byte>>> fields) =>
        db.StreamAddAsync(Key, fields.Select(f => new NameValueEntry(f.Key, f.Value)).ToArray());

    /// <summary>Delta <paramref name="seq"/>: upserts IdA(0) with every value <paramref name="value"/>, deletes IdB(0).</summary>
    private void WriteDelta(long seq, float value)
    {
        using var ta = EmbeddingTable.Open(_bundle.TablePath("ta"));
        using var tb = EmbeddingTable.Open(_bundle.TablePath("tb"));
        using var writer = new DeltaFileWriter(DeltaPath(seq), seq, [DeltaTableSchema.Of(ta), DeltaTableSchema.Of(tb)]);
        writer.Upsert(0, TestBundle.IdA(0), Enumerable.Repeat(value, ta.Dim).ToArray());
        writer.Delete(1, TestBundle.IdB(0));
        writer.Complete();
    }

    private static async Task<double[]> PredictAsync(ServerProcess server)
    {
        var request = new PredictRequest { ModelSpec = new ModelSpec { Name = Model } };
        request.Inputs["dense"] = Protos.Floats(Dense, [1, 4], content: true);
        request.Inputs["a"] = Protos.Int64s(IdsA, [1, 2], content: true);
        request.Inputs["b"] = Protos.Int64s(IdsB, [1, 1], content: true);
        var response = await server.Predictions.PredictAsync(request);
        return Protos.Values(response.Outputs["score"]);
    }

    /// <summary>The same request scored in-process on the bundle with deltas 1..<paramref name="upTo"/> applied from files.</summary>
    private double[] Expected(long upTo)
    {
        var folder = Directory.CreateTempSubdirectory("recserve-stream-expected-").FullName;
        try
        {
            for (var seq = 1; seq <= upTo; seq++)
            {
                File.Copy(DeltaPath(seq), Path.Combine(folder, DeltaFormat.FileName(seq)));
            }
            using var model = BundleModel.Load(_bundle.VersionPath, new OnnxModelOptions(), Path.Combine(folder, "overlay"));
            model.Deltas!.ApplyPending(folder);
            var inputs = new Dictionary<string, Tensor>
            {
                ["dense"] = Tensor.FromValues<float>(TensorDataType.Float32, [1, 4], Dense),
                ["a"] = Tensor.FromValues<long>(TensorDataType.Int64, [1, 2], IdsA),
                ["b"] = Tensor.FromValues<long>(TensorDataType.Int64, [1, 1], IdsB),
            };
            try
            {
                using var outputs = model.Predict(inputs, []);
                return Array.ConvertAll(outputs.Find("score")!.AsSpan<float>().ToArray(), v => (double)v);
            }
            finally
            {
                foreach (var tensor in inputs.Values)
                {
                    tensor.Dispose();
                }
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    public void Dispose()
    {
        _bundle.Dispose();
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
