using RecServe.Cli.Bench.Results;
using RecServe.Cli.Bench.Update;
using static RecServe.Cli.Tests.Bench.Update.TimelineFixture;

namespace RecServe.Cli.Tests.Bench.Update;

public sealed class WindowSummaryTests
{
    [Fact]
    public void TakesTheRequestsSentInsideTheWindowOnly()
    {
        var timeline = Of((0.5, 100, null), (1.0, 1, null), (1.5, 2, null), (1.9, 0, "UNAVAILABLE"), (2.0, 100, null));

        var window = WindowSummary.Of(timeline, "steady", origin: 0, from: At(1.0), to: At(2.0));

        Assert.Equal("steady", window.Name);
        Assert.Equal(1.0, window.FromSeconds, 6);
        Assert.Equal(2.0, window.ToSeconds, 6);
        Assert.Equal(3, window.Sent);
        Assert.Equal(2, window.Latency.Count);
        Assert.Equal(2.0, window.Latency.Max, 2);
        Assert.Equal(1, window.ErrorCount);
        Assert.Equal(1, window.Errors["UNAVAILABLE"]);
    }

    [Fact]
    public void AnUnansweredRequestCountsWhereTheRequestBeforeItWasSent()
    {
        var timeline = new RequestTimeline(8);
        timeline.Record(0, At(1.2), At(0.001), null);
        timeline.Record(2, At(3.5), At(0.001), null); // slot 1 never answered

        var first = WindowSummary.Of(timeline, "a", 0, At(1), At(2));
        var second = WindowSummary.Of(timeline, "b", 0, At(3), At(4));

        Assert.Equal(2, first.Sent);
        Assert.Equal(1, first.Errors["UNANSWERED"]);
        Assert.Equal(1, second.Sent);
        Assert.Equal(0, second.ErrorCount);
    }

    [Fact]
    public void AnEmptyWindowHasNoRequests()
    {
        var window = WindowSummary.Of(Of((0.1, 1, null)), "later", 0, At(5), At(6));

        Assert.Equal(0, window.Sent);
        Assert.Equal(default, window.Latency);
    }
}
