using RecServe.Cli.Bench.Load;
using RecServe.Cli.Bench.Requests;
using RecServe.Cli.Bench.Results;
using RecServe.Cli.Bench.Targets;

namespace RecServe.Cli.Bench;

/// <summary>
/// One benchmark run from start to end: connect (or load the model), read the signature, build and encode the
/// request pool, apply load for the warm-up and the measured time, and report.
/// </summary>
internal static class BenchRun
{
    /// <summary>Runs the benchmark <paramref name="settings"/> describe; progress goes to <paramref name="progress"/> if not null.</summary>
    public static async Task<BenchReport> RunAsync(BenchSettings settings, TextWriter? progress, CancellationToken cancellationToken)
    {
        await using var target = BenchTargets.Create(settings.Target);
        var signature = await target.GetSignatureAsync(cancellationToken).ConfigureAwait(false);
        using var pool = RequestPool.Build(signature, settings.Requests);
        target.Prepare(pool.Requests);
        ReserveThreads(settings.Load);

        var recorder = new BenchRecorder();
        var driver = new LoadDriver(target, pool.Rows, settings.Load, recorder);
        var window = LoadWindow.StartingNow(settings.Load.Warmup, settings.Load.Duration);
        var cpu = CpuMeter.Start(settings.Target.Api == BenchApi.InProcess ? Environment.ProcessId : settings.ServerProcessId, window);
        using var log = settings.IntervalLogPath is null ? null : new IntervalLog(settings.IntervalLogPath, settings.IntervalSeconds);
        var reporter = new ProgressReporter(recorder, () => driver.InFlight, window, progress, log);
        using var stopProgress = new CancellationTokenSource();
        var reporting = reporter.RunAsync(stopProgress.Token);
        long stoppedAt;
        try
        {
            stoppedAt = await driver.RunAsync(window, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await stopProgress.CancelAsync().ConfigureAwait(false);
            await reporting.ConfigureAwait(false);
            reporter.Finish();
        }
        var cpuSeconds = cpu is null ? null : await cpu.StopAsync().ConfigureAwait(false);
        return BenchReport.Create(settings, target.Description, pool.Rows, window, stoppedAt, recorder) with
        {
            CpuProcess = cpu?.Process,
            CpuMicrosecondsPerRequest = cpuSeconds is { } seconds && recorder.Succeeded + recorder.Failed > 0
                ? seconds * 1e6 / (recorder.Succeeded + recorder.Failed)
                : null,
        };
    }

    // In process, every closed-loop worker blocks a pool thread inside Predict; without enough threads the pool's
    // slow growth (about one a second) would throttle the first seconds of the run and the progress timer.
    private static void ReserveThreads(LoadSettings load)
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        var wanted = (load.Rate is null ? load.Concurrency : 0) + Environment.ProcessorCount + 2;
        if (workers < wanted)
        {
            ThreadPool.SetMinThreads(wanted, io);
        }
    }
}
