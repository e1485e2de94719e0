using System.Diagnostics;

namespace Integration.Tests;

/// <summary>
/// scripts/install-tool.sh packs recserve as a .NET tool and installs it into a folder; the installed command runs,
/// serves a model (ONNX Runtime's native library came with it) and applies a delta (so did RocksDB's).
/// </summary>
public sealed class ToolInstallTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "recserve-tool", Guid.NewGuid().ToString("N"));

    public ToolInstallTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task InstalledToolShowsHelpServesAndAppliesDeltas()
    {
        var tools = Path.Combine(_folder, "tools");
        var install = Run("bash", [Path.Combine(RepoPaths.Root, "scripts", "install-tool.sh"), tools],
            new() { ["PACKAGES"] = Path.Combine(_folder, "packages"), ["NO_BUILD"] = "1" }, TimeSpan.FromMinutes(8));
        Assert.True(install.Code == 0, install.Output);
        var package = Assert.Single(Directory.GetFiles(Path.Combine(_folder, "packages"), "RecServe.Cli.*.nupkg"));
        // Without the mobile ONNX Runtime builds the package is about 100 MB; with them it was 210 MB.
        Assert.InRange(new FileInfo(package).Length, 1L << 20, 150L << 20);
        var recserve = Path.Combine(tools, "recserve");

        var help = Run(recserve, ["--help"]);
        Assert.True(help.Code == 0, help.Output);
        Assert.Contains("Examples:", help.Output, StringComparison.Ordinal);
        Assert.Contains("  recserve serve --model_name dlrm", help.Output, StringComparison.Ordinal);

        var (grpcPort, restPort) = (ServerProcess.FreePort(), ServerProcess.FreePort());
        using (var server = Start(recserve, ["serve", "--bind_address", "127.0.0.1", "--port", grpcPort.ToString(), "--rest_api_port", restPort.ToString(),
            "--model_name", "dlrm", "--model_base_path", RepoPaths.ExampleModel]))
        {
            var output = new ProcessOutput(server);
            try
            {
                using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{restPort}") };
                await ServerProcess.WaitForAsync(async () =>
                {
                    Assert.False(server.HasExited, "the installed recserve exited:\n" + output.Text);
                    try
                    {
                        return (await http.GetStringAsync("/v1/models/dlrm")).Contains("AVAILABLE", StringComparison.Ordinal);
                    }
                    catch (HttpRequestException)
                    {
                        return false;
                    }
                }, TimeSpan.FromSeconds(90), "the installed tool to serve the example model");
            }
            finally
            {
                server.Kill(entireProcessTree: true);
                await server.WaitForExitAsync();
            }
        }

        var bundle = Path.Combine(_folder, "models", "demo", "1");
        Assert.Equal(0, Run(recserve, ["demo-model", "--rows", "1000", "--dim", "4", "--tables", "1", "--out", bundle]).Code);
        var csv = Path.Combine(_folder, "rows.csv");
        File.WriteAllLines(csv, ["1,1,2,3,4", "2"]);
        var delta = Path.Combine(_folder, "1.delta");
        Assert.Equal(0, Run(recserve, ["delta", "make", "--bundle", bundle, "--table", "table_0", "--from", csv, "--seq", "1", "--out", delta]).Code);
        var apply = Run(recserve, ["delta", "apply", bundle, delta, "--state-dir", Path.Combine(_folder, "state")]);
        Assert.True(apply.Code == 0, apply.Output);
        Assert.Contains("applied seq 1: 1 upserts, 1 deletes", apply.Output, StringComparison.Ordinal);
    }

    private static Process Start(string program, IEnumerable<string> args, Dictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var (name, value) in environment ?? [])
        {
            info.Environment[name] = value;
        }
        return Process.Start(info) ?? throw new InvalidOperationException($"{program} did not start");
    }

    private static (int Code, string Output) Run(string program, IEnumerable<string> args, Dictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        using var process = Start(program, args, environment);
        var output = new ProcessOutput(process);
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return (-1, "timed out:\n" + output.Text);
        }
        process.WaitForExit();
        return (process.ExitCode, output.Text);
    }
}
