using RecServe.Core.Bundles;
using RecServe.Embeddings.Cache;
using RecServe.Embeddings.Kernels;
using RecServe.Embeddings.Tables;
using RecServe.Embeddings.Tiers;

namespace RecServe.Runtime.Bundles;

/// <summary>
/// One opened table of a bundle with its tiers: the table itself, and a hot-row cache in front when the manifest
/// gives it a budget. Pools straight from the table with the SIMD kernels when there is no cache.
/// </summary>
internal sealed class ServedTable : IDisposable
{
    private readonly LocalTableTier _local;
    private readonly CachedTier? _cached;

    private ServedTable(string name, EmbeddingTable table, long cacheBytes)
    {
        Name = name;
        Table = table;
        _local = new LocalTableTier(table, ownsTable: true);
        var metrics = new List<TableTierMetrics>(2);
        if (cacheBytes > 0)
        {
            _cached = new CachedTier(new HotRowCache(table.Dim, cacheBytes), _local);
            metrics.Add(new TableTierMetrics(name, TableTierMetrics.CacheTier, _cached.Metrics));
        }
        metrics.Add(new TableTierMetrics(name, TableTierMetrics.LocalTier, _local.Metrics));
        Metrics = metrics;
    }

    /// <summary>The table's name in the manifest.</summary>
    public string Name { get; }

    /// <summary>The opened table.</summary>
    public EmbeddingTable Table { get; }

    /// <summary>The hot-row cache in front of the table, or null when the manifest gives it none.</summary>
    public HotRowCache? Cache => _cached?.Cache;

    /// <summary>Values per row.</summary>
    public int Dim => Table.Dim;

    /// <summary>Counters per tier, cache first.</summary>
    public IReadOnlyList<TableTierMetrics> Metrics { get; }

    /// <summary>Opens the table <paramref name="entry"/> describes and checks it against the manifest.</summary>
    /// <exception cref="ModelLoadException">The table is missing, corrupt, truncated, or not what the manifest says.</exception>
    public static ServedTable Open(string versionPath, BundleTable entry)
    {
        var residency = entry.Tier.Residency == BundleFormat.ResidencyMemory ? TableResidency.Memory : TableResidency.Mapped;
        EmbeddingTable table;
        try
        {
            // A table unchanged since the version being replaced is served from that version's bytes (docs/ARCHITECTURE.md).
            table = EmbeddingTable.Open(Path.Combine(versionPath, entry.Path), new TableOpenOptions { Residency = residency, ShareOpenFiles = true });
        }
        catch (Exception e) when (e is TableFormatException or IOException or UnauthorizedAccessException)
        {
            throw new ModelLoadException($"table '{entry.Name}' cannot be served: {e.Message}", e);
        }
        try
        {
            var dtype = DataTypeNames.ToName(table.DataType);
            if (table.Dim != entry.Dim || dtype != entry.Dtype || table.RowCount != entry.Rows)
            {
                throw new ModelLoadException(
                    $"table '{entry.Name}' holds {table.RowCount} rows of dim {table.Dim} {dtype}, but model.json says {entry.Rows} rows of dim {entry.Dim} {entry.Dtype}");
            }
            return new ServedTable(entry.Name, table, entry.Tier.CacheBytes);
        }
        catch
        {
            table.Dispose();
            throw;
        }
    }

    /// <summary>Pools [batch, <paramref name="bagSize"/>] ids padded with negative ids (see <see cref="EmbeddingPooling.Pool"/>).</summary>
    public void Pool(ReadOnlySpan<long> ids, int bagSize, PoolingMode mode, Span<float> output)
    {
        if (_cached is not null)
        {
            TierPooling.Pool(_cached, Table.DefaultRow, ids, bagSize, default, mode, output);
            return;
        }
        var stats = EmbeddingPooling.Pool(Table, ids, bagSize, mode, output);
        _local.Metrics.RecordBatch(stats.Lookups, stats.Hits);
    }

    /// <summary>Pools ragged bags with sum or mean (see <see cref="EmbeddingPooling.PoolRagged"/>).</summary>
    public void PoolRagged(ReadOnlySpan<long> ids, ReadOnlySpan<int> lengths, PoolingMode mode, Span<float> output)
    {
        if (_cached is not null)
        {
            TierPooling.Pool(_cached, Table.DefaultRow, ids, 0, lengths, mode, output);
            return;
        }
        var stats = EmbeddingPooling.PoolRagged(Table, ids, lengths, mode, output);
        _local.Metrics.RecordBatch(stats.Lookups, stats.Hits);
    }

    /// <summary>Closes the table.</summary>
    public void Dispose() => _local.Dispose();
}
