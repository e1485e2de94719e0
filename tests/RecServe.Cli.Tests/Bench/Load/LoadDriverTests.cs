using RecServe.Cli.Bench.Load;
using RecServe.Cli.Bench.Results;

namespace RecServe.Cli.Tests.Bench.Load;

public sealed class LoadDriverTests
{
    private static readonly int[] Rows = [10, 20];

    [Fact]
    public async Task ClosedLoopKeepsConcurrencyWorkersBusyAndStopsAtTheCount()
    {
        var target = new FakeTarget(TimeSpan.FromMilliseconds(10));
        var recorder = new BenchRecorder();
        var settings = new LoadSettings { Concurrency = 3, Warmup = TimeSpan.Zero, Duration = TimeSpan.FromSeconds(30), MaxRequests = 60 };
        var driver = new LoadDriver(target, Rows, settings, recorder);

        await driver.RunAsync(LoadWindow.StartingNow(settings.Warmup, settings.Duration), CancellationToken.None);
        recorder.TakeInterval();

        Assert.Equal(60, recorder.Succeeded);
        Assert.Equal(60, recorder.Total.TotalCount);
        Assert.Equal(30 * 10 + 30 * 20, recorder.Rows);
        Assert.Equal(60, target.Calls);
        // Never more than the concurrency; at least two overlapping even when a loaded machine starts a worker late.
        Assert.InRange(target.HighestConcurrency, 2, 3);
        Assert.Equal(0, driver.InFlight);
    }

    [Fact]
    public async Task ClosedLoopStopsAtTheEndOfTheWindowAndLeavesWarmupOut()
    {
        var target = new FakeTarget(TimeSpan.FromMilliseconds(1));
        var recorder = new BenchRecorder();
        // Windows long enough that a loaded machine still completes requests in each (a 1 ms fake call).
        var settings = new LoadSettings { Concurrency = 2, Warmup = TimeSpan.FromMilliseconds(500), Duration = TimeSpan.FromMilliseconds(1500) };
        var driver = new LoadDriver(target, Rows, settings, recorder);

        await driver.RunAsync(LoadWindow.StartingNow(settings.Warmup, settings.Duration), CancellationToken.None);

        Assert.True(recorder.Succeeded > 0);
        Assert.True(recorder.Completed > recorder.Succeeded, "warm-up answers are completed but not measured");
        Assert.Equal(target.Calls, recorder.Completed);
    }

    [Fact]
    public async Task OpenLoopKeepsEveryRequestOnTheTimelineAtItsIntendedTime()
    {
        var target = new FakeTarget(TimeSpan.Zero, status: null);
        var recorder = new BenchRecorder();
        var timeline = new RequestTimeline(1000);
        var settings = new LoadSettings { Rate = 400, Warmup = TimeSpan.FromSeconds(0.25), Duration = TimeSpan.FromSeconds(0.25) };
        var driver = new LoadDriver(target, Rows, settings, recorder, timeline);
        var window = LoadWindow.StartingNow(settings.Warmup, settings.Duration);

        await driver.RunAsync(window, CancellationToken.None);

        // Warm-up sends are on the timeline too: 200 in all, each at start + n / rate whatever the machine did.
        Assert.Equal(200, timeline.Count);
        var ticksPerSend = System.Diagnostics.Stopwatch.Frequency / 400.0;
        for (var slot = 0; slot < timeline.Count; slot++)
        {
            Assert.Equal(RequestTimeline.Succeeded, timeline.StatusCode(slot));
            Assert.Equal(window.Start + (long)(slot * ticksPerSend), timeline.SentAt(slot));
        }
    }

    [Fact]
    public async Task StopSendingEndsARunBeforeItsWindow()
    {
        var target = new FakeTarget(TimeSpan.Zero);
        var recorder = new BenchRecorder();
        var settings = new LoadSettings { Rate = 200, Warmup = TimeSpan.Zero, Duration = TimeSpan.FromMinutes(10) };
        var driver = new LoadDriver(target, Rows, settings, recorder);

        var running = driver.RunAsync(LoadWindow.StartingNow(settings.Warmup, settings.Duration), CancellationToken.None);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (recorder.Succeeded < 10 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
        }
        driver.StopSending();
        await running.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(recorder.Succeeded >= 10);
        Assert.Equal(0, driver.InFlight);
    }

    [Fact]
    public async Task OpenLoopSendsAtTheRate()
    {
        var target = new FakeTarget(TimeSpan.Zero);
        var recorder = new BenchRecorder();
        var settings = new LoadSettings { Rate = 400, Warmup = TimeSpan.Zero, Duration = TimeSpan.FromSeconds(0.5) };
        var driver = new LoadDriver(target, Rows, settings, recorder);

        await driver.RunAsync(LoadWindow.StartingNow(settings.Warmup, settings.Duration), CancellationToken.None);

        // The schedule holds exactly 200 sends in half a second at 400/s, however the machine is loaded.
        Assert.Equal(200, recorder.Succeeded + recorder.Dropped + recorder.Failed);
        Assert.Equal(0, recorder.Dropped);
    }

    [Fact]
    public async Task OpenLoopDropsSendsDueAtTheInFlightBoundAndCountsThem()
    {
        var target = new FakeTarget(TimeSpan.FromMilliseconds(300));
        var recorder = new BenchRecorder();
        var settings = new LoadSettings { Rate = 200, MaxInFlight = 3, Warmup = TimeSpan.Zero, Duration = TimeSpan.FromSeconds(0.5) };
        var driver = new LoadDriver(target, Rows, settings, recorder);

        await driver.RunAsync(LoadWindow.StartingNow(settings.Warmup, settings.Duration), CancellationToken.None);
        recorder.TakeInterval();

        Assert.Equal(100, recorder.Succeeded + recorder.Dropped);
        // Three slots, each turning over once or twice in half a second of 300 ms answers (thrice if the machine stalls).
        Assert.InRange(recorder.Succeeded, 3, 9);
        Assert.Equal(3, target.HighestConcurrency);
        Assert.Equal(0, driver.InFlight);
        // Latency counts from the intended send time, so it is at least the target's delay.
        Assert.True(recorder.Total.GetValueAtPercentile(0) >= 290_000);
    }

    [Fact]
    public async Task FailuresAreCountedByStatusAndLeftOutOfTheLatencies()
    {
        var target = new FakeTarget(TimeSpan.Zero, status: "UNAVAILABLE");
        var recorder = new BenchRecorder();
        var settings = new LoadSettings { Concurrency = 2, Warmup = TimeSpan.Zero, Duration = TimeSpan.FromSeconds(30), MaxRequests = 25 };
        var driver = new LoadDriver(target, Rows, settings, recorder);

        await driver.RunAsync(LoadWindow.StartingNow(settings.Warmup, settings.Duration), CancellationToken.None);
        recorder.TakeInterval();

        Assert.Equal(25, recorder.Failed);
        Assert.Equal(0, recorder.Succeeded);
        Assert.Equal(0, recorder.Total.TotalCount);
        Assert.Equal(new Dictionary<string, long> { ["UNAVAILABLE"] = 25 }, recorder.ErrorsByStatus());
    }

    [Fact]
    public async Task CancellationStopsTheRunWithoutCountingErrors()
    {
        var target = new FakeTarget(TimeSpan.FromSeconds(30));
        var recorder = new BenchRecorder();
        var settings = new LoadSettings { Concurrency = 2, Warmup = TimeSpan.Zero, Duration = TimeSpan.FromSeconds(30) };
        var driver = new LoadDriver(target, Rows, settings, recorder);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await driver.RunAsync(LoadWindow.StartingNow(settings.Warmup, settings.Duration), cancel.Token).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(0, recorder.Failed);
        Assert.Equal(0, driver.InFlight);
    }
}
