using System.Collections.Concurrent;
using System.Diagnostics;

namespace RecServe.Cli.Bench.Results;

/// <summary>
/// Every request of a run, by send sequence number: its (intended) send time, latency and status, in arrays
/// allocated before the run so that recording costs three stores and never allocates or locks. Each slot is
/// written once by the one thread that completed that request; read the timeline after the load has stopped.
/// </summary>
internal sealed class RequestTimeline
{
    /// <summary>Status code of a slot never written: the request was not sent, or not answered.</summary>
    public const byte Unanswered = 0;

    /// <summary>Status code of a successful request.</summary>
    public const byte Succeeded = 1;

    // Codes 2.. are failure statuses in order of first appearance; past the last code every failure shares it.
    private const byte LastCode = byte.MaxValue;
    private const string OtherStatus = "OTHER";

    private readonly long[] _sentAt;
    private readonly int[] _latencyMicros;
    private readonly byte[] _status;
    private readonly string[] _statusNames = new string[LastCode + 1];
    private readonly ConcurrentDictionary<string, byte> _statusCodes = new(StringComparer.Ordinal);
    private readonly Lock _registering = new();
    private readonly double _microsPerTick = 1_000_000.0 / Stopwatch.Frequency;
    private int _nextCode = Succeeded + 1;
    private long _highest = -1;
    private long _overflow;

    /// <summary>Creates a timeline with room for <paramref name="capacity"/> requests.</summary>
    public RequestTimeline(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _sentAt = new long[capacity];
        _latencyMicros = new int[capacity];
        _status = new byte[capacity];
        _statusNames[Unanswered] = "UNANSWERED";
        _statusNames[Succeeded] = "OK";
    }

    /// <summary>A timeline for an open-loop run of <paramref name="rate"/> requests per second for <paramref name="length"/>.</summary>
    public static RequestTimeline ForRate(double rate, TimeSpan length) =>
        new(checked((int)Math.Ceiling(rate * length.TotalSeconds) + 64));

    /// <summary>Slots the timeline holds.</summary>
    public int Capacity => _sentAt.Length;

    /// <summary>Slots in use: one past the highest sequence recorded (at most <see cref="Capacity"/>).</summary>
    public int Count => (int)Math.Min(Interlocked.Read(ref _highest) + 1, Capacity);

    /// <summary>Requests answered past the capacity, so not kept.</summary>
    public long Overflow => Interlocked.Read(ref _overflow);

    /// <summary>Keeps one answered request.</summary>
    /// <param name="sequence">Its send sequence number (0 for the first send of the run).</param>
    /// <param name="sentAt">Timestamp it was (meant to be) sent.</param>
    /// <param name="elapsedTicks">Timestamp ticks from then to its answer.</param>
    /// <param name="status">Null on success, else the status it failed with.</param>
    public void Record(long sequence, long sentAt, long elapsedTicks, string? status)
    {
        if ((ulong)sequence >= (ulong)_sentAt.Length)
        {
            Interlocked.Increment(ref _overflow);
            return;
        }
        var slot = (int)sequence;
        _sentAt[slot] = sentAt;
        _latencyMicros[slot] = (int)Math.Clamp(elapsedTicks * _microsPerTick, 0, int.MaxValue);
        // The status is written last: a reader that sees it also sees the slot's time and latency.
        Volatile.Write(ref _status[slot], status is null ? Succeeded : CodeOf(status));
        InterlockedMax.Raise(ref _highest, sequence);
    }

    /// <summary>Timestamp slot <paramref name="slot"/> was (meant to be) sent.</summary>
    public long SentAt(int slot) => _sentAt[slot];

    /// <summary>Latency of slot <paramref name="slot"/> in microseconds.</summary>
    public int LatencyMicros(int slot) => _latencyMicros[slot];

    /// <summary>Status code of slot <paramref name="slot"/>: <see cref="Unanswered"/>, <see cref="Succeeded"/> or a failure.</summary>
    public byte StatusCode(int slot) => Volatile.Read(ref _status[slot]);

    /// <summary>The status name a code stands for (<c>OK</c> for success).</summary>
    public string StatusName(byte code) => _statusNames[code] ?? OtherStatus;

    private byte CodeOf(string status) =>
        _statusCodes.TryGetValue(status, out var code) ? code : Register(status);

    // Failures are rare and their kinds few, so a lock on the first sight of each kind costs nothing measurable.
    private byte Register(string status)
    {
        lock (_registering)
        {
            if (_statusCodes.TryGetValue(status, out var code))
            {
                return code;
            }
            if (_nextCode > LastCode)
            {
                return LastCode;
            }
            code = (byte)_nextCode++;
            _statusNames[code] = code == LastCode ? OtherStatus : status;
            _statusCodes[status] = code;
            return code;
        }
    }
}
