using System.Text.Json;
using System.Xml.Linq;

namespace Integration.Tests;

/// <summary>
/// <c>recserve bench update</c> end to end with tiny sizes: it starts its own server, swaps in a new version and
/// applies a delta under load, and writes its results folder.
/// </summary>
public sealed class UpdateBenchTests
{
    private static readonly string[] EventOrder =
        ["copy_started", "version_copied", "version_live", "old_version_unloaded", "delta_dropped", "delta_applied"];

    [Fact]
    public async Task AShortRunSwapsAVersionAndAppliesADeltaWithoutFailedRequests()
    {
        var results = Path.Combine(Path.GetTempPath(), "recserve-tests", Guid.NewGuid().ToString("N"));
        using var process = RecServeCommand.Start("bench",
        [
            "update", "--results", results, "--rows", "2000", "--tables", "2", "--delta-rows", "5000",
            "--rate", "50", "--batch", "8", "--warmup", "1", "--steady", "2", "--after", "2", "--event-timeout", "60",
        ]);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(150)))
        {
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("recserve bench update did not finish in 150 s:\n" + await stdout + await stderr);
            }
        }
        var output = await stdout + await stderr;
        Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode}:\n{output}");
        Assert.Contains("p99.9 ratio to steady", output);

        using var summary = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(results, "summary.json")));
        var root = summary.RootElement;
        Assert.Equal(0, root.GetProperty("errors").GetInt64());
        Assert.Equal(5000, root.GetProperty("delta_rows").GetInt64());
        Assert.True(root.GetProperty("delta_rows_per_second").GetDouble() > 0);
        Assert.True(root.GetProperty("rss_bytes").GetProperty("before_swap").GetInt64() > 10_000_000);
        long sent = 0;
        foreach (var window in new[] { "steady", "swap", "after_live", "delta" })
        {
            var figures = root.GetProperty("windows").GetProperty(window);
            Assert.True(figures.GetProperty("sent").GetInt64() > 0, $"no request in the {window} window");
            Assert.Equal(figures.GetProperty("sent").GetInt64(), figures.GetProperty("succeeded").GetInt64());
            Assert.True(figures.GetProperty("latency_ms").GetProperty("p99_9").GetDouble() > 0);
            sent += window == "after_live" ? 0 : figures.GetProperty("sent").GetInt64();
        }
        var events = root.GetProperty("events").EnumerateArray().Select(e => (Name: e.GetProperty("name").GetString(), Seconds: e.GetProperty("seconds").GetDouble())).ToList();
        Assert.Equal(EventOrder, events.Select(e => e.Name!));
        Assert.Equal(events.OrderBy(e => e.Seconds).Select(e => e.Name!), events.Select(e => e.Name!));

        // Every request is on the timeline (the warm-up's too), the plot is well-formed SVG, the server was sampled.
        var timelineLines = await File.ReadAllLinesAsync(Path.Combine(results, "timeline.csv"));
        Assert.True(timelineLines.Length - 1 >= sent);
        Assert.All(timelineLines.Skip(1), line => Assert.EndsWith(",OK", line));
        var plot = XDocument.Load(Path.Combine(results, "latency.svg"));
        Assert.Contains(plot.Descendants(), e => e.Name.LocalName == "polyline" && (string?)e.Attribute("class") == "p99");
        Assert.True((await File.ReadAllLinesAsync(Path.Combine(results, "server.csv"))).Length > 2);
        Assert.Contains("version 2 is available", await File.ReadAllTextAsync(Path.Combine(results, "server.log")));

        Directory.Delete(results, recursive: true);
    }
}
