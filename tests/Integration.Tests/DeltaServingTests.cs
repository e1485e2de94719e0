using RecServe.Core.Tensors;
using RecServe.Embeddings.Deltas;
using RecServe.Embeddings.Tables;
using RecServe.Runtime.Bundles;
using RecServe.Runtime.Onnx;
using RecServe.Runtime.Tests.Bundles;
using Tensorflow.Serving;
using Tensor = RecServe.Core.Tensors.Tensor;

namespace Integration.Tests;

/// <summary>
/// Deltas dropped into a served bundle version's <c>deltas/</c> folder change its predictions while it serves, exactly
/// as the same deltas applied in-process do; a corrupt delta changes nothing and shows in model status and metrics.
/// </summary>
public sealed class DeltaServingTests : IDisposable
{
    private const string Model = "bundle";
    private static readonly long[] IdsA = [TestBundle.IdA(0), TestBundle.IdA(1)];
    private static readonly long[] IdsB = [TestBundle.IdB(0)];
    private static readonly float[] Dense = [0.5f, -1f, 0.25f, 2f];

    private readonly TestBundle _bundle = new(Path.Combine(RepoPaths.Root, "tests", "fixtures", "bundle_dense", "dense.onnx"), cacheBytes: 4096);
    private readonly string _state = Path.Combine(Path.GetTempPath(), "recserve-delta-tests", Guid.NewGuid().ToString("N"));

    private string DeltaPath(long seq) => Path.Combine(_bundle.VersionPath, "deltas", DeltaFormat.FileName(seq));

    [Fact]
    public async Task DeltasChangePredictionsInOrderAndACorruptOneChangesNothing()
    {
        await using var server = await ServerProcess.StartAsync("--model_name", Model, "--model_base_path", _bundle.BasePath,
            "--state_dir", _state, "--file_system_poll_wait_seconds", "0.2", "--enable_batching");
        var before = await PredictAsync(server);
        Assert.Equal(InProcess(withDeltas: false), before);

        WriteDelta(1, 7f);
        await WaitForSeqAsync(server, 1);
        var afterOne = await PredictAsync(server);
        Assert.Equal(InProcess(withDeltas: true), afterOne);
        Assert.NotEqual(before, afterOne);

        // Seq 2 is corrupt (one flipped byte), seq 3 valid: 2 is refused whole and 3 must not be applied past the gap.
        // The corrupt file is made aside and moved in whole: written in place, the valid delta it starts as could be
        // seen and applied by a poll before the byte flips (the likely cause of this test timing out once on a loaded machine).
        var aside = DeltaPath(2) + ".aside"; // same folder, so the move is a rename; not a .delta name, so never read
        WriteDelta(2, -3f, aside);
        var bytes = File.ReadAllBytes(aside);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(aside, bytes);
        File.Move(aside, DeltaPath(2));
        WriteDelta(3, 11f);
        await ServerProcess.WaitForAsync(async () => await MetricsText.ScrapeAsync(server, Series("recserve_delta_failures_total")) >= 1,
            TimeSpan.FromSeconds(30), "the corrupt delta to be refused");

        var status = await server.Models.GetModelStatusAsync(new GetModelStatusRequest { ModelSpec = new ModelSpec { Name = Model } });
        var version = Assert.Single(status.ModelVersionStatus);
        Assert.Equal(ModelVersionStatus.Types.State.Available, version.State);
        Assert.Contains("2.delta", version.Status.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(1, await MetricsText.ScrapeAsync(server, Series("recserve_delta_last_seq")));
        Assert.Equal(1, await MetricsText.ScrapeAsync(server, Series("recserve_deltas_applied_total")));
        Assert.Equal(afterOne, await PredictAsync(server));
    }

    [Fact]
    public async Task DeltasReplacingADenseWeightShiftTheServedScores()
    {
        await using var server = await ServerProcess.StartAsync("--model_name", Model, "--model_base_path", _bundle.BasePath,
            "--state_dir", _state, "--file_system_poll_wait_seconds", "0.2", "--enable_batching");

        WriteBiasDelta(1, 0f, 0f);
        await WaitForSeqAsync(server, 1);
        var zeroBias = await PredictAsync(server);
        WriteBiasDelta(2, 1.5f, -2f);
        await WaitForSeqAsync(server, 2);
        var newBias = await PredictAsync(server);

        Assert.Equal(zeroBias[0] + 1.5, newBias[0], 4);
        Assert.Equal(zeroBias[1] - 2.0, newBias[1], 4);
    }

    /// <summary>Delta <paramref name="seq"/> replacing the dense graph's "bias" [2] and no rows.</summary>
    private void WriteBiasDelta(long seq, float first, float second)
    {
        Directory.CreateDirectory(Path.Combine(_bundle.VersionPath, "deltas"));
        var bias = new DenseWeightUpdate("bias", TensorDataType.Float32, [2],
            System.Runtime.InteropServices.MemoryMarshal.AsBytes<float>([first, second]).ToArray());
        using var writer = new DeltaFileWriter(DeltaPath(seq), seq, [], [bias]);
        writer.Complete();
    }

    private static string Series(string name) => $"{name}{{model=\"{Model}\",version=\"1\"}}";

    private static Task WaitForSeqAsync(ServerProcess server, long seq) =>
        ServerProcess.WaitForAsync(async () => await MetricsText.ScrapeAsync(server, Series("recserve_delta_last_seq")) == seq,
            TimeSpan.FromSeconds(30), $"delta seq {seq} to be applied");

    /// <summary>Delta <paramref name="seq"/>: upserts IdA(0) with every value <paramref name="value"/>, deletes IdB(0).</summary>
    private void WriteDelta(long seq, float value, string? path = null)
    {
        Directory.CreateDirectory(Path.Combine(_bundle.VersionPath, "deltas"));
        using var ta = EmbeddingTable.Open(_bundle.TablePath("ta"));
        using var tb = EmbeddingTable.Open(_bundle.TablePath("tb"));
        using var writer = new DeltaFileWriter(path ?? DeltaPath(seq), seq, [DeltaTableSchema.Of(ta), DeltaTableSchema.Of(tb)]);
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

    /// <summary>The same request scored in-process on the bundle, with the deltas written so far applied or none.</summary>
    private double[] InProcess(bool withDeltas)
    {
        using var model = BundleModel.Load(_bundle.VersionPath, new OnnxModelOptions(), Path.Combine(_state, "in-process", Guid.NewGuid().ToString("N")));
        if (withDeltas)
        {
            model.Deltas!.ApplyPending(Path.Combine(_bundle.VersionPath, "deltas"));
        }
        var scores = TestBundle.Score(model, new Dictionary<string, Tensor>
        {
            ["dense"] = Tensor.FromValues<float>(TensorDataType.Float32, [1, 4], Dense),
            ["a"] = Tensor.FromValues<long>(TensorDataType.Int64, [1, 2], IdsA),
            ["b"] = Tensor.FromValues<long>(TensorDataType.Int64, [1, 1], IdsB),
        });
        return Array.ConvertAll(scores, v => (double)v);
    }

    public void Dispose()
    {
        _bundle.Dispose();
        try
        {
            Directory.Delete(_state, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
