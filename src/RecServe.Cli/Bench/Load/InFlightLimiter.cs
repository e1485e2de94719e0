namespace RecServe.Cli.Bench.Load;

/// <summary>Counts requests outstanding and refuses new ones past a bound. Thread-safe, lock-free.</summary>
internal sealed class InFlightLimiter
{
    private int _current;

    /// <summary>Creates a limiter allowing <paramref name="max"/> requests at once.</summary>
    public InFlightLimiter(int max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        Max = max;
    }

    /// <summary>The bound.</summary>
    public int Max { get; }

    /// <summary>Requests outstanding now.</summary>
    public int Current => Volatile.Read(ref _current);

    /// <summary>Counts one more request unless <see cref="Max"/> are already out.</summary>
    public bool TryEnter()
    {
        var current = Volatile.Read(ref _current);
        while (current < Max)
        {
            var seen = Interlocked.CompareExchange(ref _current, current + 1, current);
            if (seen == current)
            {
                return true;
            }
            current = seen;
        }
        return false;
    }

    /// <summary>Counts one request answered.</summary>
    public void Exit() => Interlocked.Decrement(ref _current);
}
