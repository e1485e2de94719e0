using System.Text.Json;

namespace Integration.Tests;

/// <summary><c>recserve bench</c> run as a process against the real server (and in process), writing its JSON report.</summary>
public sealed class BenchCommandTests : IAsyncLifetime
{
    private ServerProcess _server = null!;

    public async Task InitializeAsync() =>
        _server = await ServerProcess.StartAsync("--model_name", "dlrm", "--model_base_path", RepoPaths.ExampleModel);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("grpc")]
    [InlineData("rest")]
    public async Task BenchAgainstTheServerSucceedsOnEveryRequest(string api)
    {
        var port = api == "grpc" ? _server.GrpcPort : _server.RestPort;
        var report = await RunBenchAsync(
            "--api", api, "--target", $"127.0.0.1:{port}", "--model", "dlrm",
            "--batch", "16", "--concurrency", "2", "--warmup", "0.5", "--duration", "2",
            "--id-max", "cat_0=1000,cat_1=500,cat_2=200,cat_3=100");

        Assert.Equal(api, report.GetProperty("api").GetString());
        Assert.True(report.GetProperty("requests").GetInt64() > 0);
        Assert.Equal(0, report.GetProperty("errors").GetInt64());
        Assert.Equal(16 * report.GetProperty("requests").GetInt64(), report.GetProperty("rows").GetInt64());
        Assert.True(report.GetProperty("latency_ms").GetProperty("p50").GetDouble() > 0);
        Assert.Equal(JsonValueKind.Null, report.GetProperty("cpu_us_per_request").ValueKind); // no --server-pid given
    }

    [Fact]
    public async Task GivenTheServersPidBenchReportsItsCpuTimePerRequest()
    {
        var report = await RunBenchAsync(
            "--api", "grpc", "--target", $"127.0.0.1:{_server.GrpcPort}", "--model", "dlrm",
            "--batch", "16", "--concurrency", "2", "--warmup", "0.5", "--duration", "2", "--server-pid", $"{_server.ProcessId}");

        Assert.Equal($"pid {_server.ProcessId}", report.GetProperty("cpu_process").GetString());
        // A request of 16 rows costs the server tens of microseconds at least and not a whole second.
        Assert.InRange(report.GetProperty("cpu_us_per_request").GetDouble(), 1, 1e6);
    }

    [Fact]
    public async Task OpenLoopBenchHoldsItsRate()
    {
        var report = await RunBenchAsync(
            "--api", "grpc", "--target", $"127.0.0.1:{_server.GrpcPort}", "--model", "dlrm",
            "--batch", "8", "--rate", "50", "--warmup", "0.5", "--duration", "2");

        Assert.Equal("open", report.GetProperty("mode").GetString());
        Assert.Equal(100, report.GetProperty("requests").GetInt64() + report.GetProperty("dropped").GetInt64());
        Assert.Equal(0, report.GetProperty("errors").GetInt64());
    }

    [Fact]
    public async Task InProcessBenchNeedsNoServer()
    {
        var report = await RunBenchAsync(
            "--in-process", "--model_base_path", RepoPaths.ExampleModel,
            "--batch", "16", "--concurrency", "2", "--warmup", "0.5", "--duration", "1");

        Assert.Equal("in-process", report.GetProperty("api").GetString());
        Assert.Equal("dlrm", report.GetProperty("model").GetString());
        Assert.True(report.GetProperty("requests").GetInt64() > 0);
        Assert.Equal(0, report.GetProperty("errors").GetInt64());
        Assert.Equal("in-process", report.GetProperty("cpu_process").GetString());
        Assert.InRange(report.GetProperty("cpu_us_per_request").GetDouble(), 1, 1e6);
    }

    [Fact]
    public async Task IdsPastATableAreReportedAsFailedRequests()
    {
        var report = await RunBenchAsync(
            expectedExitCode: 1,
            "--api", "grpc", "--target", $"127.0.0.1:{_server.GrpcPort}", "--model", "dlrm",
            "--batch", "64", "--id-space", "100000", "--zipf", "0.5", "--warmup", "0", "--duration", "120", "--count", "20");

        Assert.Equal(0, report.GetProperty("requests").GetInt64());
        Assert.Equal(20, report.GetProperty("errors_by_status").GetProperty("INVALID_ARGUMENT").GetInt64());
    }

    private static Task<JsonElement> RunBenchAsync(params string[] args) => RunBenchAsync(0, args);

    private static async Task<JsonElement> RunBenchAsync(int expectedExitCode, params string[] args)
    {
        var json = Path.Combine(Path.GetTempPath(), "recserve-tests", Guid.NewGuid().ToString("N") + ".json");
        Directory.CreateDirectory(Path.GetDirectoryName(json)!);
        using var process = RecServeCommand.Start("bench", [.. args, "--json", json]);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("recserve bench did not finish in 90 s:\n" + await stdout + await stderr);
        }
        var output = await stdout + await stderr;
        Assert.True(process.ExitCode == expectedExitCode, $"exit code {process.ExitCode}, expected {expectedExitCode}:\n{output}");
        Assert.Contains("latency ms", output);
        using var document = JsonDocument.Parse(await File.ReadAllBytesAsync(json));
        File.Delete(json);
        return document.RootElement.Clone();
    }
}
