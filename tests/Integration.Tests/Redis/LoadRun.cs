using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;

namespace Integration.Tests.Redis;

/// <summary>
/// Closed-loop predict load on one model from a few concurrent callers, each call with a deadline (so a hung request shows
/// as DEADLINE_EXCEEDED, a failure): counts successes with their times and keeps every failure.
/// </summary>
internal sealed class LoadRun : IAsyncDisposable
{
    private const int Callers = 3;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<TimeSpan> _successes = new();
    private readonly ConcurrentQueue<RpcException> _failures = new();
    private readonly Task[] _callers = new Task[Callers];

    private LoadRun()
    {
    }

    /// <summary>Time since the load started.</summary>
    public Stopwatch Clock { get; } = Stopwatch.StartNew();

    /// <summary>Failures so far.</summary>
    public IReadOnlyCollection<RpcException> Failures => _failures;

    public static LoadRun Start(ServerProcess server, string model)
    {
        var run = new LoadRun();
        for (var c = 0; c < Callers; c++)
        {
            var caller = c;
            run._callers[c] = Task.Run(() => run.CallAsync(server, model, caller));
        }
        return run;
    }

    public Task WaitForSuccessesAsync(int count) =>
        ServerProcess.WaitForAsync(() => Task.FromResult(_successes.Count >= count), TimeSpan.FromSeconds(60), $"{count} successful requests");

    public Task WaitForSuccessAfterAsync(TimeSpan since, TimeSpan timeout) =>
        ServerProcess.WaitForAsync(() => Task.FromResult(FirstSuccessAfter(since) is not null), timeout, "a successful request");

    /// <summary>When the first request that started after <paramref name="since"/> succeeded, or null.</summary>
    public TimeSpan? FirstSuccessAfter(TimeSpan since)
    {
        TimeSpan? first = null;
        foreach (var at in _successes)
        {
            if (at > since && (first is null || at < first))
            {
                first = at;
            }
        }
        return first;
    }

    /// <summary>Stops the callers; returns the successes and failures.</summary>
    public async Task<(int Successes, IReadOnlyList<RpcException> Failures)> StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_callers);
        return (_successes.Count, [.. _failures]);
    }

    private async Task CallAsync(ServerProcess server, string model, int caller)
    {
        var shift = caller;
        while (!_stop.IsCancellationRequested)
        {
            var started = Clock.Elapsed;
            try
            {
                await server.Predictions.PredictAsync(ClusterBundle.Request(model, shift++ % 50), deadline: DateTime.UtcNow.AddSeconds(5));
                // Recorded with its start time: a success counts as "after" a moment only if it began after it.
                _successes.Enqueue(started);
            }
            catch (RpcException e)
            {
                _failures.Enqueue(e);
                // A failing shard answers at once; do not spin the 2-core machine.
                await Task.Delay(5);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }
        _stop.Dispose();
    }
}
