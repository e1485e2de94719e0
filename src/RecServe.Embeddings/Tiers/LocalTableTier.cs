using RecServe.Embeddings.Kernels;
using RecServe.Embeddings.Tables;

namespace RecServe.Embeddings.Tiers;

/// <summary>A tier over one opened <see cref="EmbeddingTable"/>, mapped or in memory; its rows' home on this machine.</summary>
public sealed class LocalTableTier : IEmbeddingTier, IDisposable
{
    private readonly bool _ownsTable;
    private readonly ReadAheadGate? _readAhead;

    /// <summary>Serves <paramref name="table"/>; disposes it with the tier when <paramref name="ownsTable"/>.</summary>
    public LocalTableTier(EmbeddingTable table, bool ownsTable = false)
    {
        ArgumentNullException.ThrowIfNull(table);
        Table = table;
        _ownsTable = ownsTable;
        Metrics.SetResidentBytes(table.ByteSize);
    }

    /// <summary>The table served.</summary>
    public EmbeddingTable Table { get; }

    /// <inheritdoc />
    public int Dim => Table.Dim;

    /// <inheritdoc />
    public TierMetrics Metrics { get; } = new();

    /// <summary>
    /// Whether <see cref="Gather"/> may first ask the OS for all of a mapped table's pages the batch will read
    /// (<see cref="EmbeddingTable.AdviseWillNeed"/>), so that rows not in memory are read from disk concurrently rather
    /// than one page fault after another. It does so only while plain gathers show rows coming from disk (major page
    /// faults, <see cref="ReadAheadGate"/>), because the advice costs a system call per row. Meant for a tier behind a hot-row
    /// cache, whose misses are the only lookups that reach it; off by default. No effect on a table in memory.
    /// </summary>
    public bool ReadAhead
    {
        get => _readAhead is not null;
        init => _readAhead = value && Table.Residency == TableResidency.Mapped ? new ReadAheadGate() : null;
    }

    /// <summary>Replaces the gate <see cref="ReadAhead"/> makes (tests set one that switches at once).</summary>
    internal ReadAheadGate? Gate
    {
        init => _readAhead = Table.Residency == TableResidency.Mapped ? value : null;
    }

    /// <summary>Whether rows are being read ahead now (see <see cref="ReadAhead"/>).</summary>
    public bool IsReadingAhead => _readAhead?.IsOn ?? false;

    /// <summary>Batches whose rows were read ahead so far.</summary>
    public long ReadAheadBatches => _readAhead?.ReadAheadBatches ?? 0;

    /// <inheritdoc />
    public int Gather(ReadOnlySpan<long> ids, Span<float> rows, Span<bool> found)
    {
        int hits;
        if (_readAhead is null)
        {
            hits = RowGather.Gather(Table, ids, rows, found);
        }
        else if (_readAhead.ShouldReadAhead())
        {
            Table.AdviseWillNeed(ids);
            hits = RowGather.Gather(Table, ids, rows, found);
        }
        else
        {
            // Faults are counted per thread, and the gather runs on this one: only this batch's disk reads are counted.
            var faults = ThreadFaults.Major();
            hits = RowGather.Gather(Table, ids, rows, found);
            _readAhead.RecordPlain(ThreadFaults.Major() - faults, ids.Length);
        }
        Metrics.RecordBatch(ids.Length, hits);
        return hits;
    }

    /// <summary>Disposes the table if the tier owns it.</summary>
    public void Dispose()
    {
        if (_ownsTable)
        {
            Table.Dispose();
        }
    }
}
