using System.Diagnostics;
using System.Globalization;
using RecServe.Cli.Bench.Load;
using RecServe.Cli.Bench.Requests;
using RecServe.Cli.Bench.Results;
using RecServe.Cli.Bench.Targets;

namespace RecServe.Cli.Bench.Update;

/// <summary>
/// One update run: start a server on version 1, apply open-loop load, and while it runs copy in version 2 and
/// wait until it serves, then drop a delta into it and wait until it is applied; keep every request's latency and
/// the server's memory and CPU on one time axis, then report and write the results folder.
/// </summary>
internal static class UpdateBenchRun
{
    private static readonly TimeSpan StatusPoll = TimeSpan.FromMilliseconds(25);
    private static readonly TimeSpan MetricsPoll = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(200);
    private const int WarmupRequestCount = 8;

    /// <summary>Runs the bench <paramref name="settings"/> describe; progress lines go to <paramref name="log"/>.</summary>
    public static async Task<UpdateBenchReport> RunAsync(UpdateBenchSettings settings, TextWriter log, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(settings.ResultsFolder);
        var scenario = await Task.Run(() => UpdateScenario.Prepare(settings, Path.Combine(settings.ResultsFolder, "work"), log), cancellationToken).ConfigureAwait(false);
        string[] serveArgs =
        [
            "--model_name", settings.Model, "--model_base_path", scenario.BasePath, "--state_dir", scenario.StatePath,
            "--file_system_poll_wait_seconds", "1", .. settings.ServeArgs,
        ];
        log.WriteLine($"starting recserve serve {string.Join(' ', serveArgs)}");
        using var server = BenchServerProcess.Start(serveArgs, Path.Combine(settings.ResultsFolder, "server.log"));
        using var usage = new ProcessSampler(server.ProcessId, SampleInterval);
        await WaitForStateAsync(server, settings, UpdateScenario.Initial, "AVAILABLE", cancellationToken).ConfigureAwait(false);

        var port = settings.Api is BenchApi.Grpc or BenchApi.KServeGrpc ? server.GrpcPort : server.RestPort;
        await using var target = BenchTargets.Create(new TargetSettings
        {
            Api = settings.Api,
            Address = new Uri($"http://127.0.0.1:{port}"),
            Model = settings.Model,
            Timeout = settings.RequestTimeout,
        });
        var signature = await target.GetSignatureAsync(cancellationToken).ConfigureAwait(false);
        using var pool = RequestPool.Build(signature, new RequestSettings { Batch = settings.Batch, Bag = settings.Bag, IdMax = scenario.IdRanges() });
        target.Prepare(pool.Requests);
        if (settings.WarmupRequests)
        {
            scenario.WriteWarmupRequests(pool.Requests, WarmupRequestCount);
        }

        var load = new LoadSettings { Rate = settings.Rate, Warmup = settings.Warmup, Duration = settings.MaxLoad - settings.Warmup };
        var timeline = RequestTimeline.ForRate(settings.Rate, settings.MaxLoad);
        var recorder = new BenchRecorder();
        var driver = new LoadDriver(target, pool.Rows, load, recorder, timeline);
        var window = LoadWindow.StartingNow(load.Warmup, load.Duration);
        log.WriteLine($"load: {settings.Rate.ToString(CultureInfo.InvariantCulture)} req/s of {settings.Batch} rows over {settings.Api.ToString().ToLowerInvariant()}; {settings.Warmup.TotalSeconds} s warm-up, {settings.Steady.TotalSeconds} s steady");
        var running = driver.RunAsync(window, cancellationToken);
        var events = new List<UpdateEvent>();
        try
        {
            await RunEventsAsync(scenario, server, settings, window, events, log, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            driver.StopSending();
            await running.ConfigureAwait(false);
        }
        var loadEnd = Stopwatch.GetTimestamp();
        recorder.TakeInterval();
        var description = $"{settings.Model}: {Describe(settings, scenario)}; {settings.Rate.ToString(CultureInfo.InvariantCulture)} req/s x {settings.Batch} rows, {settings.Api.ToString().ToLowerInvariant()}";
        var report = UpdateBenchReport.Create(description, timeline, window.Start, window.MeasureStart, loadEnd, settings.After,
            events, usage.Samples, scenario.DeltaRows, recorder);
        UpdateResultFiles.Write(settings.ResultsFolder, report, timeline, window.Start, usage.Samples);
        return report;
    }

    private static async Task RunEventsAsync(UpdateScenario scenario, BenchServerProcess server, UpdateBenchSettings settings,
        LoadWindow window, List<UpdateEvent> events, TextWriter log, CancellationToken cancellationToken)
    {
        await DelayUntilAsync(window.MeasureStart + LoadWindow.Ticks(settings.Steady), cancellationToken).ConfigureAwait(false);

        Mark(events, UpdateBenchReport.CopyStarted, log);
        var staging = await Task.Run(scenario.StageNewVersion, cancellationToken).ConfigureAwait(false);
        scenario.PublishNewVersion(staging);
        Mark(events, UpdateBenchReport.VersionCopied, log);
        var live = await WaitForStateAsync(server, settings, UpdateScenario.Next, "AVAILABLE", cancellationToken).ConfigureAwait(false);
        Mark(events, UpdateBenchReport.VersionLive, log, live);
        // The old version drains its in-flight requests first; not seeing it end is reported, not fatal.
        if (await TryWaitForStateAsync(server, settings.Model, UpdateScenario.Initial, "END", settings.After, cancellationToken).ConfigureAwait(false) is { } unloaded)
        {
            Mark(events, UpdateBenchReport.OldVersionUnloaded, log, unloaded);
        }
        else
        {
            log.WriteLine($"version {UpdateScenario.Initial} was not END within {settings.After.TotalSeconds} s of version {UpdateScenario.Next} going live");
        }
        await DelayUntilAsync(live + LoadWindow.Ticks(settings.After), cancellationToken).ConfigureAwait(false);

        await Task.Run(scenario.DropDelta, cancellationToken).ConfigureAwait(false);
        Mark(events, UpdateBenchReport.DeltaDropped, log);
        var applied = await WaitForDeltaAsync(server, settings, cancellationToken).ConfigureAwait(false);
        Mark(events, UpdateBenchReport.DeltaApplied, log, applied);
        await DelayUntilAsync(applied + LoadWindow.Ticks(settings.After), cancellationToken).ConfigureAwait(false);
    }

    private static async Task<long> WaitForStateAsync(BenchServerProcess server, UpdateBenchSettings settings, long version, string state, CancellationToken cancellationToken) =>
        await TryWaitForStateAsync(server, settings.Model, version, state, settings.EventTimeout, cancellationToken).ConfigureAwait(false)
            ?? throw new TimeoutException($"version {version} of {settings.Model} was not {state} within {settings.EventTimeout.TotalSeconds} s; see server.log");

    // The time is when the poll saw the state, so an event is late by at most one poll interval plus the call.
    private static async Task<long?> TryWaitForStateAsync(BenchServerProcess server, string model, long version, string state, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + LoadWindow.Ticks(timeout);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            FailIfExited(server);
            var states = await server.VersionStatesAsync(model, cancellationToken).ConfigureAwait(false);
            var seenAt = Stopwatch.GetTimestamp();
            if (states.TryGetValue(version, out var current) && current == state)
            {
                return seenAt;
            }
            await Task.Delay(StatusPoll, cancellationToken).ConfigureAwait(false);
        }
        return null;
    }

    private static async Task<long> WaitForDeltaAsync(BenchServerProcess server, UpdateBenchSettings settings, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + LoadWindow.Ticks(settings.EventTimeout);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            FailIfExited(server);
            var seq = await server.MetricAsync("recserve_delta_last_seq", settings.Model, UpdateScenario.Next, cancellationToken).ConfigureAwait(false);
            var seenAt = Stopwatch.GetTimestamp();
            if (seq >= 1)
            {
                return seenAt;
            }
            if (await server.MetricAsync("recserve_delta_failures_total", settings.Model, UpdateScenario.Next, cancellationToken).ConfigureAwait(false) > 0)
            {
                throw new InvalidOperationException("the server refused the delta; see server.log and the model status");
            }
            await Task.Delay(MetricsPoll, cancellationToken).ConfigureAwait(false);
        }
        throw new TimeoutException($"the delta was not applied within {settings.EventTimeout.TotalSeconds} s; see server.log");
    }

    private static void FailIfExited(BenchServerProcess server)
    {
        if (server.HasExited)
        {
            throw new InvalidOperationException("the server exited during the run; see server.log");
        }
    }

    private static async Task DelayUntilAsync(long timestamp, CancellationToken cancellationToken)
    {
        var remaining = timestamp - Stopwatch.GetTimestamp();
        if (remaining > 0)
        {
            await Task.Delay(TimeSpan.FromSeconds(remaining / (double)Stopwatch.Frequency), cancellationToken).ConfigureAwait(false);
        }
    }

    private static void Mark(List<UpdateEvent> events, string name, TextWriter log, long? at = null)
    {
        var timestamp = at ?? Stopwatch.GetTimestamp();
        events.Add(new UpdateEvent(name, timestamp));
        var since = events.Count > 1 ? $" (+{(timestamp - events[^2].Timestamp) / (double)Stopwatch.Frequency:F2} s)" : string.Empty;
        log.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {name}{since}");
    }

    private static string Describe(UpdateBenchSettings settings, UpdateScenario scenario)
    {
        var tables = scenario.Manifest.Tables;
        var bundle = settings.Bundle ?? "demo bundle";
        return $"{bundle}, {tables.Count} table(s) of {tables.Sum(t => t.Rows):N0} rows in all; delta {scenario.DeltaRows:N0} rows of {scenario.DeltaTable}";
    }
}
