using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;

namespace Integration.Tests;

/// <summary>A real server configured by nothing but RECSERVE_* variables and an appsettings.json in its working directory.</summary>
public sealed class ConfigSourcesTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "recserve-config-it", Guid.NewGuid().ToString("N"));

    public ConfigSourcesTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task ServesOnThePortsTheEnvironmentAndSettingsFileName()
    {
        var (grpcPort, restPort, overriddenPort) = (ServerProcess.FreePort(), ServerProcess.FreePort(), ServerProcess.FreePort());
        // The file sets the model and the gRPC port, and a REST port the environment overrides.
        File.WriteAllText(Path.Combine(_folder, "appsettings.json"), JsonSerializer.Serialize(new
        {
            RecServe = new Dictionary<string, object>
            {
                ["model_name"] = "dlrm",
                ["model_base_path"] = RepoPaths.ExampleModel,
                ["port"] = grpcPort,
                ["rest_api_port"] = overriddenPort,
            },
        }));
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = _folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(ServerProcess.BinaryPath);
        info.ArgumentList.Add("serve");
        info.Environment["RECSERVE_BIND_ADDRESS"] = "127.0.0.1";
        info.Environment["RECSERVE_REST_API_PORT"] = restPort.ToString();
        using var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        var output = new ProcessOutput(process);
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{restPort}"), Timeout = TimeSpan.FromSeconds(10) };
            await ServerProcess.WaitForAsync(async () =>
            {
                Assert.False(process.HasExited, "recserve exited:\n" + output.Text);
                try
                {
                    return (await http.GetStringAsync("/v1/models/dlrm")).Contains("AVAILABLE", StringComparison.Ordinal);
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(90), "the model on the REST port from RECSERVE_REST_API_PORT");

            using (var grpc = new TcpClient())
            {
                await grpc.ConnectAsync("127.0.0.1", grpcPort);
            }
            using var refused = new TcpClient();
            await Assert.ThrowsAnyAsync<SocketException>(() => refused.ConnectAsync("127.0.0.1", overriddenPort));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task AnUnknownSettingStopsTheServerWithOneLineNamingTheFile()
    {
        var settings = Path.Combine(_folder, "settings.json");
        File.WriteAllText(settings, """{ "RecServe": { "rest_api_prot": 9000 } }""");
        using var process = RecServeCommand.Start("serve", ["--config", settings, "--model_base_path", RepoPaths.ExampleModel]);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(1, process.ExitCode);
        Assert.Equal($"recserve serve: {settings}: RecServe:rest_api_prot: unknown key; keys are the flags of 'recserve serve --help' without the leading --",
            Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.Equal("", await stdout);
    }
}
