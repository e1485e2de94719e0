using System.Diagnostics;
using RecServe.Cli.Bench.Results;
using RecServe.Cli.Bench.Targets;

namespace RecServe.Cli.Bench.Load;

/// <summary>
/// Sends the pool's requests to a target for one <see cref="LoadWindow"/>, closed loop (fixed concurrency) or
/// open loop (fixed rate), and records every answer. Stops by itself at the window's end or after
/// <see cref="LoadSettings.MaxRequests"/> measured sends.
/// </summary>
internal sealed partial class LoadDriver
{
    private readonly IBenchTarget _target;
    private readonly int[] _rows;
    private readonly LoadSettings _settings;
    private readonly BenchRecorder _recorder;
    private readonly InFlightLimiter _inFlight;
    private readonly RequestTimeline? _timeline;
    private long _sequence = -1;
    private long _measuredBudget;

    /// <summary>
    /// Creates a driver over a prepared target; <paramref name="rows"/> gives each pooled request's rows. When
    /// <paramref name="timeline"/> is given, every answer is also kept there by send sequence number.
    /// </summary>
    public LoadDriver(IBenchTarget target, int[] rows, LoadSettings settings, BenchRecorder recorder, RequestTimeline? timeline = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows.Length, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.Concurrency, 1);
        _target = target;
        _rows = rows;
        _settings = settings;
        _recorder = recorder;
        _timeline = timeline;
        _inFlight = new InFlightLimiter(settings.Rate is null ? settings.Concurrency : settings.MaxInFlight);
        _measuredBudget = settings.MaxRequests > 0 ? settings.MaxRequests : long.MaxValue;
    }

    /// <summary>Requests outstanding now.</summary>
    public int InFlight => _inFlight.Current;

    /// <summary>
    /// Runs the load; returns the timestamp when the last request was answered (closed loop) or sending stopped
    /// (open loop, whose outstanding requests are awaited before returning).
    /// </summary>
    public Task<long> RunAsync(LoadWindow window, CancellationToken cancellationToken) =>
        _settings.Rate is { } rate ? RunOpenAsync(rate, window, cancellationToken) : RunClosedAsync(window, cancellationToken);

    /// <summary>
    /// Ends the run early: no measured request is sent after this call, and <see cref="RunAsync"/> returns once
    /// the requests already out are answered (a run whose length is set by outside events).
    /// </summary>
    public void StopSending() => Interlocked.Exchange(ref _measuredBudget, 0);

    // Round-robin over the pool, shared by all senders so that every request is used equally.
    private int NextRequest(out long sequence)
    {
        sequence = Interlocked.Increment(ref _sequence);
        return (int)((ulong)sequence % (ulong)_rows.Length);
    }

    private bool TryTakeMeasuredSend() => Interlocked.Decrement(ref _measuredBudget) >= 0;

    private async ValueTask<string?> SendAsync(int request, int worker, CancellationToken cancellationToken)
    {
        try
        {
            return await _target.SendAsync(request, worker, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A failure the target did not map (a broken stream, say) is still one failed request, not a failed run.
            return CallStatus.FromException(e);
        }
    }

    private void Complete(long sequence, int request, bool measured, string? status, long sentAt)
    {
        var now = Stopwatch.GetTimestamp();
        _recorder.Record(measured, status, now - sentAt, _rows[request], now);
        _timeline?.Record(sequence, sentAt, now - sentAt, status);
    }
}
