using RecServe.Cli.Bench.Results;
using Spectre.Console;

namespace RecServe.Cli.Tests.Bench.Results;

public sealed class ReportConsoleTableTests
{
    [Fact]
    public void ATerminalGetsTheRunTheLatenciesInColourAndTheErrorsByStatus()
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.Standard,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 160;
        var report = new BenchReport
        {
            Target = "127.0.0.1:8500",
            Api = "grpc",
            Model = "dlrm",
            Version = 3,
            Mode = "closed",
            Concurrency = 4,
            RowsPerRequest = 32,
            PoolSize = 16,
            Requests = 1200,
            Errors = 7,
            ErrorsByStatus = new Dictionary<string, long> { ["UNAVAILABLE"] = 7 },
            RequestsPerSecond = 600.5,
            Latency = new LatencySummary(1.25, 2.5, 9.75, 31.125, 40.5, 1.5),
        };

        ReportConsoleTable.Render(console, report);

        var text = output.ToString();
        Assert.Contains("dlrm version 3", text, StringComparison.Ordinal);
        Assert.Contains("600.5 req/s", text, StringComparison.Ordinal);
        Assert.Contains("31.125", text, StringComparison.Ordinal);
        Assert.Contains("UNAVAILABLE", text, StringComparison.Ordinal);
        Assert.Contains("\u001b[", text, StringComparison.Ordinal); // coloured
    }
}
