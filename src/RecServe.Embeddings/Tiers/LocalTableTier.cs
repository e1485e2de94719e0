using RecServe.Embeddings.Kernels;
using RecServe.Embeddings.Tables;

namespace RecServe.Embeddings.Tiers;

/// <summary>A tier over one opened <see cref="EmbeddingTable"/>, mapped or in memory; its rows' home on this machine.</summary>
public sealed class LocalTableTier : IEmbeddingTier, IDisposable
{
    private readonly bool _ownsTable;

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
    /// Whether <see cref="Gather"/> first asks the OS for all of a mapped table's pages the batch will read
    /// (<see cref="EmbeddingTable.AdviseWillNeed"/>), so that rows not in memory are read from disk concurrently rather
    /// than one page fault after another. Worth its system call per row behind a hot-row cache, whose misses are the
    /// only lookups that reach this tier; off by default. No effect on a table in memory.
    /// </summary>
    public bool ReadAhead { get; init; }

    /// <inheritdoc />
    public int Gather(ReadOnlySpan<long> ids, Span<float> rows, Span<bool> found)
    {
        if (ReadAhead)
        {
            Table.AdviseWillNeed(ids);
        }
        var hits = RowGather.Gather(Table, ids, rows, found);
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
