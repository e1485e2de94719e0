using System.Diagnostics;

namespace RecServe.Cli.Bench.Load;

/// <summary>
/// Open loop: one dispatcher thread sends on the <see cref="RateSchedule"/>; answers are awaited on the thread
/// pool. Latency counts from the intended send time. A send due while <see cref="LoadSettings.MaxInFlight"/>
/// requests are out is dropped (counted, never queued); one that leaves over a millisecond late is counted late.
/// </summary>
internal sealed partial class LoadDriver
{
    private readonly record struct OpenSend(LoadDriver Driver, long Sequence, int Request, int Worker, long IntendedAt, bool Measured, CancellationToken Token);

    private async Task<long> RunOpenAsync(double rate, LoadWindow window, CancellationToken cancellationToken)
    {
        var stopped = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        // A thread of its own: the schedule must not wait behind thread-pool work (the answers it causes).
        var dispatcher = new Thread(() =>
        {
            try
            {
                stopped.SetResult(Dispatch(rate, window, cancellationToken));
            }
            catch (Exception e)
            {
                stopped.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = "bench dispatcher",
        };
        dispatcher.Start();
        var stoppedAt = await stopped.Task.ConfigureAwait(false);
        while (_inFlight.Current > 0 && !cancellationToken.IsCancellationRequested)
        {
            // Every target bounds a request by its timeout, so this ends.
            await Task.Delay(5, CancellationToken.None).ConfigureAwait(false);
        }
        return stoppedAt;
    }

    private long Dispatch(double rate, LoadWindow window, CancellationToken cancellationToken)
    {
        var schedule = new RateSchedule(rate, window.Start, Stopwatch.Frequency);
        var lateTicks = Stopwatch.Frequency / 1000;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (schedule.NextIntended >= window.End)
            {
                return window.End;
            }
            var now = Stopwatch.GetTimestamp();
            if (!schedule.TryTakeDue(now, out var intendedAt))
            {
                WaitUntil(intendedAt);
                continue;
            }
            var measured = window.IsMeasured(intendedAt);
            if (measured && !TryTakeMeasuredSend())
            {
                return now;
            }
            if (!_inFlight.TryEnter())
            {
                if (measured)
                {
                    _recorder.RecordDropped();
                }
                continue;
            }
            if (measured && now - intendedAt > lateTicks)
            {
                _recorder.RecordLate();
            }
            var request = NextRequest(out var sequence);
            ThreadPool.UnsafeQueueUserWorkItem(
                static send => _ = send.Driver.SendOpenAsync(send),
                new OpenSend(this, sequence, request, (int)(sequence & int.MaxValue), intendedAt, measured, cancellationToken),
                preferLocal: false);
        }
        return Stopwatch.GetTimestamp();
    }

    private async Task SendOpenAsync(OpenSend send)
    {
        try
        {
            var status = await SendAsync(send.Request, send.Worker, send.Token).ConfigureAwait(false);
            Complete(send.Sequence, send.Request, send.Measured, status, send.IntendedAt);
        }
        catch (OperationCanceledException) when (send.Token.IsCancellationRequested)
        {
            // The run was interrupted; an unanswered request is neither a success nor an error.
        }
        finally
        {
            _inFlight.Exit();
        }
    }

    // Sleeps while more than ~1 ms remains (Linux oversleeps by ~0.1 ms), then yields until the time: a send
    // leaves within microseconds of its schedule, and yielding gives the core to any other runnable thread.
    private static void WaitUntil(long timestamp)
    {
        var remainingMicros = (timestamp - Stopwatch.GetTimestamp()) * 1_000_000 / Stopwatch.Frequency;
        if (remainingMicros > 1_200)
        {
            Thread.Sleep((int)Math.Min((remainingMicros - 200) / 1_000, 50));
        }
        else if (remainingMicros > 0)
        {
            Thread.Yield();
        }
    }
}
