using System.Text.Json;
using HdrHistogram;
using RecServe.Cli.Bench.Results;

namespace RecServe.Cli.Tests.Bench.Results;

public sealed class IntervalLogTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"interval-log-{Guid.NewGuid():N}.jsonl");

    private static LongHistogram Second(params long[] micros)
    {
        var histogram = new LongHistogram(1, BenchRecorder.HighestMicros, BenchRecorder.Precision);
        foreach (var value in micros)
        {
            histogram.RecordValue(value);
        }
        return histogram;
    }

    [Fact]
    public void EachPeriodGetsTheExactPercentilesOfItsOwnAnswersAndItsErrors()
    {
        using (var log = new IntervalLog(_path, periodSeconds: 2))
        {
            // Period 1: two seconds of 1 ms answers, one of them 50 ms; three errors so far.
            log.Add(Second(1000, 1000, 1000), 1.0, failedSoFar: 1);
            log.Add(Second(1000, 50_000), 2.0, failedSoFar: 3);
            // Period 2: a slow second; no new errors. The run ends half way through period 3.
            log.Add(Second(8000, 8000), 3.0, failedSoFar: 3);
            log.Add(Second(9000), 4.0, failedSoFar: 3);
            log.Add(Second(2000), 4.5, failedSoFar: 4, final: true);
        }

        var lines = File.ReadAllLines(_path).Select(line => JsonDocument.Parse(line).RootElement).ToArray();
        Assert.Equal(3, lines.Length);
        Assert.Equal(5, lines[0].GetProperty("answers").GetInt64());
        Assert.Equal(3, lines[0].GetProperty("errors").GetInt64());
        Assert.Equal(2.5, lines[0].GetProperty("rate").GetDouble());
        Assert.InRange(lines[0].GetProperty("p50_ms").GetDouble(), 0.999, 1.001);
        Assert.InRange(lines[0].GetProperty("max_ms").GetDouble(), 49.9, 50.1);

        Assert.Equal(3, lines[1].GetProperty("answers").GetInt64());
        Assert.Equal(0, lines[1].GetProperty("errors").GetInt64());
        Assert.InRange(lines[1].GetProperty("p50_ms").GetDouble(), 7.99, 8.01);
        Assert.InRange(lines[1].GetProperty("p999_ms").GetDouble(), 8.99, 9.01);
        Assert.Equal(2.0, lines[1].GetProperty("start_s").GetDouble());

        Assert.Equal(1, lines[2].GetProperty("answers").GetInt64());
        Assert.Equal(1, lines[2].GetProperty("errors").GetInt64());
        Assert.Equal(4.5, lines[2].GetProperty("end_s").GetDouble());
    }

    [Fact]
    public void APeriodThatIsNotPositiveIsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => new IntervalLog(_path, 0));
        Assert.Contains("--interval-seconds", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => File.Delete(_path);
}
