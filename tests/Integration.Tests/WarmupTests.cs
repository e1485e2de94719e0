using RecServe.Runtime.Tests.Bundles;
using Tensorflow.Serving;

namespace Integration.Tests;

/// <summary>
/// Recorded warm-up requests (docs/WARMUP.md) run at every batch size before a version serves; a version whose warm-up
/// fails never goes live and the old one keeps serving.
/// </summary>
public sealed class WarmupTests : IDisposable
{
    private const string Model = "bundle";
    private const string GoodRequest = """{"inputs": {"dense": [[0.5, -1, 0.25, 2]], "a": [[1000, 1007]], "b": [[5]]}}""";
    private const string BadRequest = """{"inputs": {"dense": [[0.5, -1, 0.25]], "a": [[1000]], "b": [[5]]}}""";

    private readonly TestBundle _bundle = new(Path.Combine(RepoPaths.Root, "tests", "fixtures", "bundle_dense", "dense.onnx"), cacheBytes: 4096);

    /// <summary>Copies version 1 as <paramref name="version"/> with <paramref name="warmup"/> as its only warm-up request, then renames it into place.</summary>
    private void Publish(long version, string warmup)
    {
        var staging = Path.Combine(_bundle.BasePath, $".{version}.tmp");
        RepoPaths.CopyDirectory(_bundle.VersionPath, staging);
        Directory.CreateDirectory(Path.Combine(staging, "warmup"));
        File.WriteAllText(Path.Combine(staging, "warmup", "requests.jsonl"), warmup + "\n");
        Directory.Move(staging, Path.Combine(_bundle.BasePath, version.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    private static async Task<ModelVersionStatus?> StatusAsync(ServerProcess server, long version)
    {
        var status = await server.Models.GetModelStatusAsync(new GetModelStatusRequest { ModelSpec = new ModelSpec { Name = Model } });
        return status.ModelVersionStatus.FirstOrDefault(s => s.Version == version);
    }

    private static async Task<long> ServedVersionAsync(ServerProcess server)
    {
        var request = new PredictRequest { ModelSpec = new ModelSpec { Name = Model } };
        request.Inputs["dense"] = Protos.Floats([0.5f, -1f, 0.25f, 2f], [1, 4], content: true);
        request.Inputs["a"] = Protos.Int64s([TestBundle.IdA(0)], [1, 1], content: true);
        request.Inputs["b"] = Protos.Int64s([TestBundle.IdB(0)], [1, 1], content: true);
        var response = await server.Predictions.PredictAsync(request);
        return response.ModelSpec.Version ?? 0;
    }

    [Fact]
    public async Task FailedWarmupNeverGoesLiveAndAGoodOneRunsEveryBatchSizeFirst()
    {
        await using var server = await ServerProcess.StartAsync("--model_name", Model, "--model_base_path", _bundle.BasePath,
            "--state_dir", Path.Combine(_bundle.BasePath, "..", Path.GetFileName(_bundle.BasePath) + "-state"),
            "--file_system_poll_wait_seconds", "0.2", "--enable_batching");
        Assert.Equal(1, await ServedVersionAsync(server));

        Publish(2, BadRequest);
        await ServerProcess.WaitForAsync(async () => (await StatusAsync(server, 2))?.State == ModelVersionStatus.Types.State.End,
            TimeSpan.FromSeconds(60), "version 2's load to fail");
        var failed = await StatusAsync(server, 2);
        Assert.Contains("warm-up", failed!.Status.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(1, await ServedVersionAsync(server));
        Assert.Equal(ModelVersionStatus.Types.State.Available, (await StatusAsync(server, 1))!.State);

        Publish(3, GoodRequest);
        await ServerProcess.WaitForAsync(async () => (await StatusAsync(server, 3))?.State == ModelVersionStatus.Types.State.Available,
            TimeSpan.FromSeconds(60), "version 3 to serve");
        // Counted before the version was published: by the time it is AVAILABLE every batch size (1, 2, 4, ..., 64) has run.
        Assert.Equal(7, await MetricsText.ScrapeAsync(server, $"recserve_warmup_runs_total{{model=\"{Model}\",version=\"3\"}}"));
        Assert.Equal(3, await ServedVersionAsync(server));
    }

    public void Dispose()
    {
        var state = Path.Combine(_bundle.BasePath, "..", Path.GetFileName(_bundle.BasePath) + "-state");
        _bundle.Dispose();
        try
        {
            Directory.Delete(state, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
