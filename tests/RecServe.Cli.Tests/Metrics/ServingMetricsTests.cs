using Prometheus;
using RecServe.Core.Errors;
using RecServe.Server.Metrics;

namespace RecServe.Cli.Tests.Metrics;

public sealed class ServingMetricsTests
{
    private static async Task<string> ScrapeAsync(ServingMetrics metrics)
    {
        using var stream = new MemoryStream();
        await metrics.Registry.CollectAndExportAsTextAsync(stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    [Fact]
    public async Task EachRequestIsCountedUnderItsOwnLabels()
    {
        var metrics = new ServingMetrics();
        metrics.Record("grpc_predict", "m", 3, null, 0.001);
        metrics.Record("grpc_predict", "m", 3, null, 0.002);
        metrics.Record("grpc_predict", "m", 4, null, 0.001);
        metrics.Record("grpc_predict", "m", 0, ServingErrorCode.NotFound, 0.001);
        metrics.RecordDenseStage("m", 0.0005);

        var text = await ScrapeAsync(metrics);

        Assert.Contains("recserve_requests_total{model=\"m\",version=\"3\",api=\"grpc_predict\",status=\"OK\"} 2", text);
        Assert.Contains("recserve_requests_total{model=\"m\",version=\"4\",api=\"grpc_predict\",status=\"OK\"} 1", text);
        Assert.Contains("recserve_requests_total{model=\"m\",version=\"\",api=\"grpc_predict\",status=\"NOT_FOUND\"} 1", text);
        Assert.Contains("recserve_dense_stage_seconds_count{model=\"m\"} 1", text);
    }

    [Fact]
    public void RecordingARequestLikeAnEarlierOneAllocatesNothing()
    {
        var metrics = new ServingMetrics();
        metrics.Record("grpc_predict", "m", 3, null, 0.001);
        metrics.RecordDenseStage("m", 0.001);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            metrics.Record("grpc_predict", "m", 3, null, 0.001);
            metrics.RecordDenseStage("m", 0.001);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
