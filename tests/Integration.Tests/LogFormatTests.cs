using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Integration.Tests;

/// <summary>The server's stdout: JSON lines when redirected (how containers and tests run it), text on request; never payloads.</summary>
public sealed class LogFormatTests
{
    private const string Marker = "payload-marker-7f3a";

    [Fact]
    public async Task RedirectedStdoutIsJsonLinesWithoutRequestPayloads()
    {
        var lines = await RunAndSendBadRequestsAsync([]);

        Assert.NotEmpty(lines);
        var entries = lines.Select(line =>
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            Assert.Equal(JsonValueKind.Object, root.ValueKind);
            var timestamp = root.GetProperty("Timestamp").GetString()!;
            Assert.True(DateTimeOffset.TryParse(timestamp, out _), timestamp);
            return (Level: root.GetProperty("LogLevel").GetString()!, Category: root.GetProperty("Category").GetString()!,
                Message: root.GetProperty("Message").GetString()!);
        }).ToList();
        Assert.Contains(entries, e => e is { Level: "Information", Category: "RecServe.Server" } && e.Message.StartsWith("RecServe ready: gRPC on 127.0.0.1:", StringComparison.Ordinal));
        Assert.Contains(entries, e => e.Category == "RecServe.Lifecycle.ModelManager" && e.Message.StartsWith("Model dlrm version 1 is available", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, line => line.Contains(Marker, StringComparison.Ordinal));
    }

    [Fact]
    public async Task TextFormatIsOnePlainLinePerMessage()
    {
        var lines = await RunAndSendBadRequestsAsync(["--log_format", "text"]);

        Assert.Contains(lines, line => line.StartsWith("RecServe ready: gRPC on 127.0.0.1:", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.Contains(" info: RecServe.Lifecycle.ModelManager", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, line => line.StartsWith('{'));
        Assert.DoesNotContain(lines, line => line.Contains(Marker, StringComparison.Ordinal));
    }

    /// <summary>Starts the example model, sends requests carrying <see cref="Marker"/>, and returns stdout's lines once the server is ready.</summary>
    private static async Task<IReadOnlyList<string>> RunAndSendBadRequestsAsync(string[] extra)
    {
        var (grpcPort, restPort) = (ServerProcess.FreePort(), ServerProcess.FreePort());
        using var process = RecServeCommand.Start("serve", [
            "--bind_address", "127.0.0.1", "--port", grpcPort.ToString(), "--rest_api_port", restPort.ToString(),
            "--model_name", "dlrm", "--model_base_path", RepoPaths.ExampleModel, .. extra]);
        var output = new ProcessOutput(process);
        try
        {
            await ServerProcess.WaitForAsync(() =>
            {
                Assert.False(process.HasExited, "recserve exited:\n" + output.Text);
                return Task.FromResult(output.StdoutLines.Any(l => l.Contains("RecServe ready", StringComparison.Ordinal))
                    && output.StdoutLines.Any(l => l.Contains("is available", StringComparison.Ordinal)));
            }, TimeSpan.FromSeconds(90), "the ready and model-available lines");
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{restPort}") };
            foreach (var body in (string[])[
                "{\"inputs\": {\"" + Marker + "\": [[1.0]]}}",
                "{\"instances\": [{\"dense\": \"" + Marker + "\"}]}",
                "{\"instances\": [{\"dense\": [0.1, " + Marker + "]}]}"])
            {
                using var response = await http.PostAsync("/v1/models/dlrm:predict", new StringContent(body, Encoding.UTF8, "application/json"));
                Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
            }
            // A status call after the bad requests: once it is answered, anything they logged has been queued.
            Assert.True((await http.GetAsync("/v1/models/dlrm")).IsSuccessStatusCode);
            return output.StdoutLines;
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }
}
