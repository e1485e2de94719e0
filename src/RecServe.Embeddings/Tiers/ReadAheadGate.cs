using System.Diagnostics;

namespace RecServe.Embeddings.Tiers;

/// <summary>
/// Decides, batch by batch, whether a mapped table's rows are worth reading ahead: the advice costs a system call per
/// row (microseconds on a VM) even when the rows are already in memory, and saves a disk read's latency only when they
/// are not. So the gate watches what plain gathers cost per row: above <see cref="SlowRowTicks"/> (rows are coming
/// from disk) it turns readahead on, and then lets one batch in <see cref="ProbeEvery"/> go without it, to notice when
/// the rows are back in memory. State is updated without locks: a lost update only delays a switch by a batch.
/// </summary>
internal sealed class ReadAheadGate
{
    /// <summary>
    /// Batches per probe while readahead is on. A probe from disk costs several read-ahead batches (its reads wait one
    /// after another, ≈ 5 read-ahead batches on the dev VM), so probes are rare: one in 32 would cost a disk-bound run ≈ 14%.
    /// </summary>
    public const int ProbeEvery = 128;

    /// <summary>
    /// Time per row of a plain gather above which rows are taken to come from disk: 10 µs, about a tenth of the rows
    /// being disk reads (≈ 100 µs each), where overlapping them starts to pay for the advice's system calls.
    /// </summary>
    public static readonly long SlowRowTicks = Stopwatch.Frequency / 100_000;

    private readonly long _slowRowTicks;
    private int _on;
    private int _batches;

    /// <summary>A gate that switches at <paramref name="slowRowTicks"/> per row (<see cref="SlowRowTicks"/> by default).</summary>
    public ReadAheadGate(long? slowRowTicks = null) => _slowRowTicks = slowRowTicks ?? SlowRowTicks;

    /// <summary>Whether the gate is reading ahead (a probe batch aside).</summary>
    public bool IsOn => Volatile.Read(ref _on) != 0;

    /// <summary>Whether this batch should be read ahead.</summary>
    public bool ShouldReadAhead() => IsOn && ++_batches % ProbeEvery != 0;

    /// <summary>Records a batch gathered without readahead: <paramref name="elapsedTicks"/> for <paramref name="rows"/> rows.</summary>
    public void RecordPlain(long elapsedTicks, int rows)
    {
        if (rows > 0)
        {
            Volatile.Write(ref _on, elapsedTicks > _slowRowTicks * rows ? 1 : 0);
        }
    }
}
