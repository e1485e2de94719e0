using System.Diagnostics;
using HdrHistogram;
using RecServe.Cli.Bench.Results;

namespace RecServe.Cli.Tests.Bench.Results;

public sealed class BenchRecorderTests
{
    private static long TicksForMicros(long micros) => micros * Stopwatch.Frequency / 1_000_000;

    [Fact]
    public void TheTotalIsTheSumOfTheIntervals()
    {
        var recorder = new BenchRecorder();
        var direct = new LongHistogram(1, BenchRecorder.HighestMicros, BenchRecorder.Precision);
        var random = new Random(1);
        long intervalCounts = 0;
        for (var round = 0; round < 5; round++)
        {
            for (var i = 0; i < 1000; i++)
            {
                var micros = (long)(random.NextDouble() * random.NextDouble() * 50_000) + 1;
                recorder.Record(measured: true, status: null, TicksForMicros(micros), rows: 4, completedAt: 1);
                direct.RecordValue(recorder.ToMicros(TicksForMicros(micros)));
            }
            intervalCounts += recorder.TakeInterval().TotalCount;
        }

        Assert.Equal(5000, intervalCounts);
        Assert.Equal(5000, recorder.Total.TotalCount);
        Assert.Equal(5000, recorder.Succeeded);
        Assert.Equal(20_000, recorder.Rows);
        foreach (var percentile in new[] { 50.0, 90.0, 99.0, 99.9, 100.0 })
        {
            Assert.Equal(direct.GetValueAtPercentile(percentile), recorder.Total.GetValueAtPercentile(percentile));
        }
    }

    [Fact]
    public async Task ConcurrentWritersLoseNothingWhileIntervalsAreTaken()
    {
        var recorder = new BenchRecorder();
        const int writers = 4;
        const int perWriter = 50_000;
        var taken = 0L;
        using var done = new CancellationTokenSource();
        var reader = Task.Run(() =>
        {
            while (!done.IsCancellationRequested)
            {
                taken += recorder.TakeInterval().TotalCount;
            }
        });
        Parallel.For(0, writers, new ParallelOptions { MaxDegreeOfParallelism = writers }, w =>
        {
            for (var i = 0; i < perWriter; i++)
            {
                recorder.Record(true, null, TicksForMicros(100 + w), 1, i);
            }
        });
        done.Cancel();
        await reader;
        taken += recorder.TakeInterval().TotalCount;

        Assert.Equal(writers * perWriter, taken);
        Assert.Equal(writers * perWriter, recorder.Total.TotalCount);
    }

    [Fact]
    public void WarmupAnswersAreCompletedButNotMeasured()
    {
        var recorder = new BenchRecorder();
        recorder.Record(measured: false, status: null, 1000, 8, completedAt: 5);
        recorder.Record(measured: false, status: "UNAVAILABLE", 1000, 8, completedAt: 6);
        recorder.TakeInterval();

        Assert.Equal(2, recorder.Completed);
        Assert.Equal(0, recorder.Succeeded);
        Assert.Equal(0, recorder.Failed);
        Assert.Equal(0, recorder.Total.TotalCount);
        Assert.Equal(0, recorder.LastCompletion);
    }

    [Fact]
    public void ErrorsAreCountedByStatusAndTheLastCompletionIsTheLatest()
    {
        var recorder = new BenchRecorder();
        recorder.Record(true, "HTTP 400", 10, 1, completedAt: 30);
        recorder.Record(true, "HTTP 400", 10, 1, completedAt: 10);
        recorder.Record(true, "DEADLINE_EXCEEDED", 10, 1, completedAt: 20);

        Assert.Equal(3, recorder.Failed);
        Assert.Equal(new Dictionary<string, long> { ["DEADLINE_EXCEEDED"] = 1, ["HTTP 400"] = 2 }, recorder.ErrorsByStatus());
        Assert.Equal(30, recorder.LastCompletion);
    }

    [Fact]
    public void LatenciesBeyondTheRangeAreClampedNotLost()
    {
        var recorder = new BenchRecorder();
        recorder.Record(true, null, long.MaxValue / 2, 1, 1);
        Assert.Equal(1, recorder.TakeInterval().TotalCount);
    }

    [Fact]
    public void SummaryIsInMilliseconds()
    {
        var histogram = new LongHistogram(1, BenchRecorder.HighestMicros, BenchRecorder.Precision);
        for (var micros = 1; micros <= 1000; micros++)
        {
            histogram.RecordValue(micros * 10);
        }
        var summary = LatencySummary.From(histogram);

        Assert.Equal(5.0, summary.P50, 0.01);
        Assert.Equal(9.0, summary.P90, 0.01);
        Assert.Equal(9.9, summary.P99, 0.01);
        Assert.Equal(10.0, summary.Max, 0.01);
        Assert.Equal(5.005, summary.Mean, 0.01);
        Assert.Equal(default, LatencySummary.From(new LongHistogram(1, 1000, 3)));
    }
}
