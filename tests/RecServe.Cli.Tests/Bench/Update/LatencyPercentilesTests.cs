using RecServe.Cli.Bench.Update;

namespace RecServe.Cli.Tests.Bench.Update;

public sealed class LatencyPercentilesTests
{
    [Fact]
    public void NearestRankPicksAMeasuredValue()
    {
        // 1000 latencies of 1..1000 µs, shuffled: p50 is the 500th, p99 the 990th, p99.9 the 999th.
        var micros = Enumerable.Range(1, 1000).OrderBy(i => (i * 7919) % 1000).ToArray();

        var percentiles = LatencyPercentiles.Of(micros);

        Assert.Equal(1000, percentiles.Count);
        Assert.Equal(0.5, percentiles.P50);
        Assert.Equal(0.99, percentiles.P99);
        Assert.Equal(0.999, percentiles.P999);
        Assert.Equal(1.0, percentiles.Max);
    }

    [Fact]
    public void FewValuesMakeTheHighPercentilesTheMaximum()
    {
        var percentiles = LatencyPercentiles.Of(new[] { 3000, 1000, 2000 });

        Assert.Equal(2.0, percentiles.P50);
        Assert.Equal(3.0, percentiles.P99);
        Assert.Equal(3.0, percentiles.P999);
    }

    [Fact]
    public void NoValuesGiveZeros()
    {
        Assert.Equal(default, LatencyPercentiles.Of(Span<int>.Empty));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100.5)]
    public void PercentOutsideTheRangeIsRefused(double percent)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LatencyPercentiles.NearestRank(new[] { 1, 2 }, percent));
    }
}
