using System.Net;
using Xunit;

namespace Integration.Tests;

public sealed class MonitoringPortTests
{
    [Fact]
    public async Task MetricsMoveToTheMonitoringPortAndLeaveTheClientPort()
    {
        var monitoringPort = ServerProcess.FreePort();
        await using var server = await ServerProcess.StartAsync(
            "--model_name", "dlrm", "--model_base_path", RepoPaths.ExampleModel, "--monitoring_port", monitoringPort.ToString());

        using var monitoring = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{monitoringPort}") };
        foreach (var path in new[] { "/metrics", "/monitoring/prometheus/metrics" })
        {
            var text = await monitoring.GetStringAsync(path);
            Assert.Contains("recserve_model_versions_available", text, StringComparison.Ordinal);

            using var onRestPort = await server.Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, onRestPort.StatusCode);
        }

        // The dashboard moves with the metrics.
        foreach (var path in new[] { "/", "/v1/dashboard" })
        {
            using var onMonitoringPort = await monitoring.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, onMonitoringPort.StatusCode);
            using var onRestPort = await server.Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, onRestPort.StatusCode);
        }

        // The REST API itself still answers on its own port.
        using var status = await server.Http.GetAsync("/v1/models/dlrm");
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
    }
}
