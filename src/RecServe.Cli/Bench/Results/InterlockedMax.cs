namespace RecServe.Cli.Bench.Results;

/// <summary>A lock-free running maximum that many threads raise at once.</summary>
internal static class InterlockedMax
{
    /// <summary>Sets <paramref name="location"/> to <paramref name="value"/> unless it already holds as much or more.</summary>
    public static void Raise(ref long location, long value)
    {
        var current = Interlocked.Read(ref location);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref location, value, current);
            if (seen == current)
            {
                return;
            }
            current = seen;
        }
    }
}
