namespace RecServe.Cli.Bench.Load;

/// <summary>
/// The open-loop schedule: send n is meant to leave at <c>start + n / rate</c>, whatever happened to earlier
/// sends. Latency is measured from that intended time, so a server (or a client) that falls behind shows the
/// queueing it causes instead of hiding it (coordinated omission). Pure arithmetic over timestamps.
/// </summary>
internal sealed class RateSchedule
{
    private readonly long _start;
    private readonly double _ticksPerSend;

    /// <summary>Creates a schedule of <paramref name="ratePerSecond"/> sends starting at <paramref name="start"/>.</summary>
    /// <param name="ratePerSecond">Sends per second; positive.</param>
    /// <param name="start">Timestamp of send 0.</param>
    /// <param name="frequency">Timestamp ticks per second.</param>
    public RateSchedule(double ratePerSecond, long start, long frequency)
    {
        if (!(ratePerSecond > 0) || double.IsInfinity(ratePerSecond))
        {
            throw new ArgumentOutOfRangeException(nameof(ratePerSecond), ratePerSecond, "the rate must be a positive number of requests per second");
        }
        _start = start;
        _ticksPerSend = frequency / ratePerSecond;
    }

    /// <summary>Sequence number of the next send.</summary>
    public long Next { get; private set; }

    /// <summary>When send <paramref name="sequence"/> is meant to leave.</summary>
    public long IntendedTimestamp(long sequence) => _start + (long)(sequence * _ticksPerSend);

    /// <summary>When the next send is meant to leave.</summary>
    public long NextIntended => IntendedTimestamp(Next);

    /// <summary>
    /// Takes the next send if it is due at <paramref name="now"/>, giving its intended time. A dispatcher that
    /// fell behind gets every overdue send in turn (sent late, never skipped), so the rate holds on average.
    /// </summary>
    public bool TryTakeDue(long now, out long intended)
    {
        intended = NextIntended;
        if (intended > now)
        {
            return false;
        }
        Next++;
        return true;
    }
}
