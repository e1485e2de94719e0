using System.Diagnostics;

namespace RecServe.Cli.Bench.Load;

/// <summary>Closed loop: <see cref="LoadSettings.Concurrency"/> workers, each sending back to back.</summary>
internal sealed partial class LoadDriver
{
    private async Task<long> RunClosedAsync(LoadWindow window, CancellationToken cancellationToken)
    {
        var workers = new Task[_settings.Concurrency];
        for (var i = 0; i < workers.Length; i++)
        {
            var worker = i;
            workers[i] = Task.Run(() => WorkerAsync(worker, window, cancellationToken), CancellationToken.None);
        }
        await Task.WhenAll(workers).ConfigureAwait(false);
        return Stopwatch.GetTimestamp();
    }

    private async Task WorkerAsync(int worker, LoadWindow window, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var sentAt = Stopwatch.GetTimestamp();
            if (sentAt >= window.End)
            {
                return;
            }
            var measured = window.IsMeasured(sentAt);
            if (measured && !TryTakeMeasuredSend())
            {
                return;
            }
            var request = NextRequest(out var sequence);
            // Always succeeds (the bound is the concurrency); it keeps the in-flight count for progress.
            _inFlight.TryEnter();
            string? status;
            try
            {
                status = await SendAsync(request, worker, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            finally
            {
                _inFlight.Exit();
            }
            Complete(sequence, request, measured, status, sentAt);
        }
    }
}
