using System.Diagnostics;
using System.Globalization;
using RecServe.Cli.Bench.Load;

namespace RecServe.Cli.Bench.Results;

/// <summary>
/// Once a second, takes the recorder's interval histogram (which also feeds the run's total) and, when given a
/// writer, rewrites one progress line on it: phase, elapsed, rate and latency of the last second, errors, in flight.
/// </summary>
internal sealed class ProgressReporter
{
    private readonly BenchRecorder _recorder;
    private readonly Func<int> _inFlight;
    private readonly LoadWindow _window;
    private readonly TextWriter? _output;
    private readonly IntervalLog? _log;
    private long _lastCompleted;
    private long _lastTimestamp;
    private bool _wroteLine;

    /// <summary>
    /// Creates a reporter; <paramref name="output"/> null means collect intervals but print nothing;
    /// <paramref name="log"/>, when given, gets every measured interval.
    /// </summary>
    public ProgressReporter(BenchRecorder recorder, Func<int> inFlight, LoadWindow window, TextWriter? output, IntervalLog? log = null)
    {
        _log = log;
        _recorder = recorder;
        _inFlight = inFlight;
        _window = window;
        _output = output;
        _lastTimestamp = window.Start;
    }

    /// <summary>Ticks every second until <paramref name="stop"/> fires.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                Tick();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run is over.
        }
    }

    /// <summary>Takes the last interval and ends the progress line; call once, after <see cref="RunAsync"/> returned.</summary>
    public void Finish()
    {
        var interval = _recorder.TakeInterval();
        _log?.Add(interval, LoadWindow.Seconds(_window.MeasureStart, Math.Min(Stopwatch.GetTimestamp(), _window.End)), _recorder.Failed, final: true);
        if (_wroteLine)
        {
            _output!.WriteLine();
        }
    }

    private void Tick()
    {
        var interval = _recorder.TakeInterval();
        var now = Stopwatch.GetTimestamp();
        if (now >= _window.MeasureStart)
        {
            _log?.Add(interval, LoadWindow.Seconds(_window.MeasureStart, now), _recorder.Failed);
        }
        if (_output is null)
        {
            return;
        }
        var completed = _recorder.Completed;
        var rate = (completed - _lastCompleted) / Math.Max(LoadWindow.Seconds(_lastTimestamp, now), 1e-9);
        (_lastCompleted, _lastTimestamp) = (completed, now);
        // Warm-up answers are not recorded, so the latency of a second without measured answers shows as "-".
        var latency = interval.TotalCount == 0 ? "p50       - ms  p99       - ms" : Latency(LatencySummary.From(interval));
        var phase = now < _window.MeasureStart ? "warm-up" : "measure";
        var seconds = now < _window.MeasureStart ? LoadWindow.Seconds(_window.Start, now) : LoadWindow.Seconds(_window.MeasureStart, now);
        var total = now < _window.MeasureStart ? LoadWindow.Seconds(_window.Start, _window.MeasureStart) : LoadWindow.Seconds(_window.MeasureStart, _window.End);
        var line = string.Create(CultureInfo.InvariantCulture,
            $"[{phase} {seconds,5:0.0}/{total:0} s] {rate,9:0.0} req/s  {latency}  errors {_recorder.Failed}  in flight {_inFlight()}");
        // \r rewrites the line in place; the padding clears what a longer earlier line left.
        _output.Write("\r" + line.PadRight(100));
        _output.Flush();
        _wroteLine = true;
    }

    private static string Latency(LatencySummary latency) =>
        string.Create(CultureInfo.InvariantCulture, $"p50 {latency.P50,7:0.000} ms  p99 {latency.P99,7:0.000} ms");
}
