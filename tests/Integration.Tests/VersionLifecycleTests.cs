using System.Collections.Concurrent;
using System.Net;
using Grpc.Health.V1;
using Tensorflow.Serving;

namespace Integration.Tests;

/// <summary>New versions go live without failing a request; broken ones never replace a working one.</summary>
public sealed class VersionLifecycleTests
{
    private static PredictRequest Request()
    {
        var request = new PredictRequest { ModelSpec = new ModelSpec { Name = "mlp" } };
        request.Inputs["x"] = Protos.Floats(Enumerable.Range(0, 16).Select(i => i / 10f).ToArray(), [2, 8], content: true);
        return request;
    }

    /// <summary>Copies a version folder in the way the README asks: write under a temporary name, then rename.</summary>
    private static void PublishVersion(string source, string basePath, long version)
    {
        var staging = Path.Combine(basePath, $".{version}.tmp");
        RepoPaths.CopyDirectory(source, staging);
        Directory.Move(staging, Path.Combine(basePath, version.ToString()));
    }

    private static string BaseWithVersionOne()
    {
        var basePath = RepoPaths.CopyModel(RepoPaths.Fixture("mlp_opset17"));
        Directory.Delete(Path.Combine(basePath, "2"), recursive: true);
        return basePath;
    }

    [Fact]
    public async Task NewVersionGoesLiveUnderLoadWithZeroFailedRequests()
    {
        var basePath = BaseWithVersionOne();
        await using var server = await ServerProcess.StartAsync("--model_name", "mlp", "--model_base_path", basePath, "--file_system_poll_wait_seconds", "0.2");
        var versionsSeen = new ConcurrentDictionary<long, int>();
        var failures = new ConcurrentQueue<Exception>();
        using var stop = new CancellationTokenSource();
        var sawVersionTwo = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        async Task Client()
        {
            // Bounded: each client stops on request or after 2,000 calls.
            for (var i = 0; i < 2000 && !stop.IsCancellationRequested; i++)
            {
                try
                {
                    var response = await server.Predictions.PredictAsync(Request());
                    versionsSeen.AddOrUpdate(response.ModelSpec.Version ?? 0, 1, (_, n) => n + 1);
                    if (response.ModelSpec.Version == 2)
                    {
                        sawVersionTwo.TrySetResult();
                    }
                }
                catch (Exception e)
                {
                    failures.Enqueue(e);
                }
            }
        }

        var clients = Enumerable.Range(0, 8).Select(_ => Task.Run(Client)).ToArray();
        await ServerProcess.WaitForAsync(() => Task.FromResult(versionsSeen.ContainsKey(1)), TimeSpan.FromSeconds(30), "requests on version 1");
        PublishVersion(Path.Combine(RepoPaths.Fixture("mlp_opset17"), "2"), basePath, 2);
        await sawVersionTwo.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var afterSwap = versionsSeen.GetValueOrDefault(2);
        await ServerProcess.WaitForAsync(() => Task.FromResult(versionsSeen.GetValueOrDefault(2) > afterSwap + 50), TimeSpan.FromSeconds(30), "requests after the swap");
        stop.Cancel();
        await Task.WhenAll(clients);

        Assert.Empty(failures);
        Assert.True(versionsSeen[1] > 0);
        Assert.True(versionsSeen[2] > 0);

        // Once version 2 serves, version 1 is unloaded (latest-1 policy).
        await ServerProcess.WaitForAsync(async () =>
        {
            var status = await server.Models.GetModelStatusAsync(new GetModelStatusRequest { ModelSpec = new ModelSpec { Name = "mlp" } });
            return status.ModelVersionStatus.Single(v => v.Version == 1).State == ModelVersionStatus.Types.State.End;
        }, TimeSpan.FromSeconds(30), "version 1 to unload");
    }

    [Fact]
    public async Task BrokenVersionLeavesTheOldOneServingAndIsReported()
    {
        var basePath = BaseWithVersionOne();
        await using var server = await ServerProcess.StartAsync("--model_name", "mlp", "--model_base_path", basePath, "--file_system_poll_wait_seconds", "0.2");
        var before = await server.Predictions.PredictAsync(Request());
        Assert.Equal(1, before.ModelSpec.Version);

        PublishVersion(Path.Combine(RepoPaths.Fixture("broken"), "1"), basePath, 2);
        ModelVersionStatus? broken = null;
        await ServerProcess.WaitForAsync(async () =>
        {
            var status = await server.Models.GetModelStatusAsync(new GetModelStatusRequest { ModelSpec = new ModelSpec { Name = "mlp" } });
            broken = status.ModelVersionStatus.SingleOrDefault(v => v.Version == 2 && v.State == ModelVersionStatus.Types.State.End);
            return broken is not null;
        }, TimeSpan.FromSeconds(60), "version 2 to fail");

        Assert.NotEqual(Tensorflow.Error.Code.Ok, broken!.Status.ErrorCode);
        Assert.Contains("cannot load", broken.Status.ErrorMessage);
        var after = await server.Predictions.PredictAsync(Request());
        Assert.Equal(1, after.ModelSpec.Version);
        Assert.Equal(before.Outputs["y"], after.Outputs["y"]);
        using var ready = await server.Http.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var restStatus = await server.Http.GetStringAsync("/v1/models/mlp/versions/2");
        Assert.Contains("cannot load", restStatus);
    }

    [Fact]
    public async Task HealthEndpointsReportServingAndReady()
    {
        await using var server = await ServerProcess.StartAsync("--model_name", "mlp", "--model_base_path", RepoPaths.Fixture("mlp_opset15"));
        using var live = await server.Http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        using var ready = await server.Http.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var health = new Health.HealthClient(server.Channel);
        var reply = await health.CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    [Fact]
    public async Task ServerRefusesToStartWithoutModels()
    {
        var missing = Path.Combine(Path.GetTempPath(), "recserve-tests", "missing-" + Guid.NewGuid().ToString("N"));
        var error = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => ServerProcess.StartAsync("--model_name", "x", "--model_base_path", missing));
        Assert.Contains("does not exist", error.ToString());
    }
}
