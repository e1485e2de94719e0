namespace RecServe.Embeddings.Tiers;

/// <summary>
/// Decides, batch by batch, whether a mapped table's rows are worth reading ahead: the advice costs a system call per
/// row (microseconds on a VM) even when the rows are already in memory, and saves a disk read's latency only when they
/// are not. So the gate counts the major page faults (disk reads) of plain gathers: at more than one in
/// <see cref="RowsPerMajorFault"/> rows it turns readahead on, and then lets one batch in <see cref="ProbeEvery"/> go
/// without it, to notice when the rows are back in memory. Minor faults (a page already cached, mapped for the first
/// time) do not count: readahead cannot save them. State is updated without locks: a lost update only delays a switch.
/// </summary>
internal sealed class ReadAheadGate
{
    /// <summary>
    /// Batches per probe while readahead is on. A probe from disk costs several read-ahead batches (its reads wait one
    /// after another, ≈ 5 read-ahead batches on the dev VM), so probes are rare: one in 32 would cost a disk-bound run ≈ 14%.
    /// </summary>
    public const int ProbeEvery = 128;

    /// <summary>
    /// Readahead pays when more than one row in 20 is a disk read: overlapping a ≈ 100 µs read saves most of it, and the
    /// advice costs a few µs for every row of the batch, read from disk or not.
    /// </summary>
    public const int RowsPerMajorFault = 20;

    private readonly int _rowsPerMajorFault;
    private int _on;
    private int _batches;
    private long _readAheadBatches;

    /// <summary>A gate that turns on above one major fault per <paramref name="rowsPerMajorFault"/> rows (0: at any major fault).</summary>
    public ReadAheadGate(int rowsPerMajorFault = RowsPerMajorFault) => _rowsPerMajorFault = rowsPerMajorFault;

    /// <summary>Whether the gate is reading ahead (a probe batch aside).</summary>
    public bool IsOn => Volatile.Read(ref _on) != 0;

    /// <summary>Batches read ahead so far.</summary>
    public long ReadAheadBatches => Volatile.Read(ref _readAheadBatches);

    /// <summary>Whether this batch should be read ahead.</summary>
    public bool ShouldReadAhead()
    {
        if (!IsOn || ++_batches % ProbeEvery == 0)
        {
            return false;
        }
        _readAheadBatches++;
        return true;
    }

    /// <summary>Records a batch of <paramref name="rows"/> gathered without readahead, which took <paramref name="majorFaults"/>.</summary>
    public void RecordPlain(long majorFaults, int rows)
    {
        if (rows > 0)
        {
            var fromDisk = majorFaults > 0 && (_rowsPerMajorFault == 0 || majorFaults * _rowsPerMajorFault >= rows);
            Volatile.Write(ref _on, fromDisk ? 1 : 0);
        }
    }
}
