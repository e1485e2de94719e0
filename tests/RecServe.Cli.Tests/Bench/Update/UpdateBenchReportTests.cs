using RecServe.Cli.Bench.Results;
using RecServe.Cli.Bench.Update;
using static RecServe.Cli.Tests.Bench.Update.TimelineFixture;

namespace RecServe.Cli.Tests.Bench.Update;

public sealed class UpdateBenchReportTests
{
    // Load from 0 s, measured from 1 s; copy at 3 s, live at 4 s, delta dropped at 7 s, applied at 7.5 s, end at 10 s.
    private static readonly UpdateEvent[] Events =
    [
        new(UpdateBenchReport.CopyStarted, At(3)),
        new(UpdateBenchReport.VersionCopied, At(3.2)),
        new(UpdateBenchReport.VersionLive, At(4)),
        new(UpdateBenchReport.DeltaDropped, At(7)),
        new(UpdateBenchReport.DeltaApplied, At(7.5)),
    ];

    [Fact]
    public void SplitsTheRunAtTheEventsAndComparesTailsWithTheSteadyState()
    {
        var timeline = Of(
            (0.5, 500, null),                       // warm-up: in no window
            (1.5, 2, null), (2.5, 2, null),          // steady
            (3.5, 4, null), (5.0, 3, null),          // swap: from the copy to 2 s past live
            (6.5, 1, null),                          // between the windows
            (7.2, 6, null), (8.0, 0, "UNAVAILABLE"), // delta: from the drop to 2 s past applied
            (9.8, 1, null));
        ProcessSample[] memory = [new(At(2.9), 100, 0), new(At(3.5), 180, 0), new(At(6), 110, 0), new(At(7.3), 130, 0), new(At(9), 120, 0)];

        var report = UpdateBenchReport.Create("d", timeline, loadStart: 0, measureStart: At(1), loadEnd: At(10),
            after: TimeSpan.FromSeconds(2), Events, memory, deltaRows: 1_000_000, new BenchRecorder());

        Assert.Equal(2, report.Steady.Sent);
        Assert.Equal(2.0, report.Steady.Latency.P999, 2);
        Assert.Equal(2, report.Swap.Sent);
        Assert.Equal(4.0, report.Swap.Latency.P999, 2);
        Assert.Equal(2.0, report.SwapP999Ratio, 2);
        Assert.Equal(1, report.AfterLive.Sent); // from live (4 s) to 2 s later
        Assert.Equal(1.5, report.AfterLiveP999Ratio, 2);
        Assert.Equal(2, report.Delta.Sent);
        Assert.Equal(1, report.Delta.ErrorCount);
        Assert.Equal(3.0, report.DeltaP999Ratio, 2);
        Assert.Equal(8, report.Whole.Sent);
        Assert.Equal(1, report.Errors);
        Assert.Equal(1.0, report.SwapSeconds, 6);
        Assert.Equal(0.5, report.DeltaSeconds, 6);
        Assert.Equal(2_000_000, report.DeltaRowsPerSecond, 0);
        Assert.Equal(100, report.RssBefore);
        Assert.Equal(180, report.RssPeakSwap);
        Assert.Equal(110, report.RssAfterSwap);
        Assert.Equal(130, report.RssPeakDelta);
        Assert.Equal(5, report.Events.Count);
        Assert.Equal(7.5, report.Events[^1].Seconds, 6);
    }

    [Fact]
    public void ARunWithoutAnEventCannotBeReported()
    {
        var error = Assert.Throws<ArgumentException>(() => UpdateBenchReport.Create("d", Of((1, 1, null)), 0, 0, At(2),
            TimeSpan.FromSeconds(1), Events[..3], [], 1, new BenchRecorder()));

        Assert.Contains(UpdateBenchReport.DeltaDropped, error.Message);
    }

    [Fact]
    public void WithoutASteadyStateTheRatioIsUnknownAndTheJsonSaysNull()
    {
        var report = UpdateBenchReport.Create("d", Of((3.5, 4, null)), 0, At(1), At(10), TimeSpan.FromSeconds(2), Events, [], 1, new BenchRecorder());

        Assert.True(double.IsNaN(report.SwapP999Ratio));
        var json = System.Text.Json.JsonDocument.Parse(UpdateReportJson.Format(report)).RootElement;
        Assert.Equal(System.Text.Json.JsonValueKind.Null, json.GetProperty("swap_p999_ratio").ValueKind);
        Assert.Equal(1, json.GetProperty("windows").GetProperty("swap").GetProperty("succeeded").GetInt32());
    }
}
