using System.Diagnostics;
using RecServe.Cli.Bench.Update;

namespace RecServe.Cli.Tests.Bench.Update;

public sealed class ServerUsagePointTests
{
    [Fact]
    public void CpuIsTheShareOfACoreUsedBetweenTwoSamples()
    {
        var second = Stopwatch.Frequency;
        ProcessSample[] samples = [new(10 * second, 100_000_000, 5.0), new(11 * second, 150_000_000, 6.5), new(13 * second, 150_000_000, -1)];

        var points = ServerUsagePoint.From(samples, origin: 10 * second);

        Assert.Equal(3, points.Count);
        Assert.Equal(new ServerUsagePoint(0, 100, 0), points[0]);
        Assert.Equal(1.0, points[1].Seconds, 9);
        Assert.Equal(150, points[1].RssMb, 9);
        Assert.Equal(150, points[1].CpuPercent, 9); // 1.5 CPU seconds in 1 s: one and a half cores
        Assert.Equal(0, points[2].CpuPercent); // unknown CPU time: no figure rather than a wrong one
    }
}
