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

    /// <inheritdoc />
    public int Gather(ReadOnlySpan<long> ids, Span<float> rows, Span<bool> found)
    {
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
