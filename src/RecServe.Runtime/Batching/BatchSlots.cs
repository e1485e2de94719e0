using System.Threading.Tasks.Sources;

namespace RecServe.Runtime.Batching;

/// <summary>
/// The batches that may run at once (num_batch_threads). Only the scheduler waits for a slot, one wait at a time, so
/// its wait is one reused ValueTask source instead of a SemaphoreSlim's Task, state machine and cancellation promise
/// per wait: the scheduler waits for a slot before nearly every batch while the previous one runs.
/// </summary>
internal sealed class BatchSlots : IValueTaskSource<bool>
{
    private readonly object _lock = new();
    private readonly int _count;
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private int _free;
    private bool _waiting;
    private bool _stopped;

    public BatchSlots(int count)
    {
        _count = count;
        _free = count;
    }

    /// <summary>Takes a slot: true once one is free, false once <see cref="Stop"/> was called. One caller at a time.</summary>
    public ValueTask<bool> TakeAsync()
    {
        lock (_lock)
        {
            if (_stopped)
            {
                return new ValueTask<bool>(false);
            }
            if (_free > 0)
            {
                _free--;
                return new ValueTask<bool>(true);
            }
            _core.Reset();
            _waiting = true;
            return new ValueTask<bool>(this, _core.Version);
        }
    }

    /// <summary>Gives a slot back (a batch finished): straight to the waiting scheduler, if it waits.</summary>
    public void Release()
    {
        lock (_lock)
        {
            if (_waiting && !_stopped)
            {
                _waiting = false;
                _core.SetResult(true);
                return;
            }
            _free++;
            Monitor.PulseAll(_lock);
        }
    }

    /// <summary>Takes no more slots: the waiting scheduler, and any later <see cref="TakeAsync"/>, gets false.</summary>
    public void Stop()
    {
        lock (_lock)
        {
            _stopped = true;
            if (_waiting)
            {
                _waiting = false;
                _core.SetResult(false);
            }
        }
    }

    /// <summary>Waits until every slot is free (no batch runs), at most <paramref name="timeout"/>; false if it ran out.</summary>
    public bool WaitUntilAllFree(TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        lock (_lock)
        {
            while (_free < _count)
            {
                var left = deadline - Environment.TickCount64;
                if (left <= 0 || !Monitor.Wait(_lock, TimeSpan.FromMilliseconds(left)))
                {
                    return _free >= _count;
                }
            }
            return true;
        }
    }

    /// <inheritdoc />
    public bool GetResult(short token) => _core.GetResult(token);

    /// <inheritdoc />
    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    /// <inheritdoc />
    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
