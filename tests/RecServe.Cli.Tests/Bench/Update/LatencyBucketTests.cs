using RecServe.Cli.Bench.Update;
using static RecServe.Cli.Tests.Bench.Update.TimelineFixture;

namespace RecServe.Cli.Tests.Bench.Update;

public sealed class LatencyBucketTests
{
    [Fact]
    public void SlicesRequestsBySendTimeAndSkipsEmptySlices()
    {
        var timeline = Of(
            (0.5, 99, null), // before the origin: left out
            (1.1, 1, null), (1.2, 3, null), (1.9, 0, "INTERNAL"),
            (4.0, 7, null));

        var buckets = LatencyBucket.Slice(timeline, At(1.0), TimeSpan.FromSeconds(1));

        Assert.Equal(2, buckets.Count);
        Assert.Equal(0.0, buckets[0].StartSeconds);
        Assert.Equal(2, buckets[0].Latency.Count);
        Assert.Equal(3.0, buckets[0].Latency.Max, 2);
        Assert.Equal(1, buckets[0].Errors);
        Assert.Equal(3.0, buckets[1].StartSeconds);
        Assert.Equal(7.0, buckets[1].Latency.P50, 2);
        Assert.Equal(0, buckets[1].Errors);
    }

    [Fact]
    public void ASliceMustHaveAWidth()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LatencyBucket.Slice(Of((1, 1, null)), 0, TimeSpan.Zero));
    }
}
