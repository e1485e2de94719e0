using RecServe.Core.Bundles;
using RecServe.Embeddings.Cache;
using RecServe.Embeddings.Kernels;
using RecServe.Embeddings.Redis;
using RecServe.Embeddings.Tables;
using RecServe.Embeddings.Tiers;

namespace RecServe.Runtime.Bundles;

/// <summary>
/// One opened table of a bundle with its tiers: the table itself (a local file, or a Redis Cluster copy for residency
/// "redis"), and a hot-row cache in front when the manifest gives it a budget. Pools straight from a local table with
/// the SIMD kernels when there is no cache; everything else goes through the tier stack.
/// </summary>
internal sealed partial class ServedTable : IDisposable
{
    private readonly LocalTableTier? _local;
    private readonly RedisClusterTier? _cluster;
    private readonly IEmbeddingTier _stack;
    private readonly CachedTier? _cached;

    private ServedTable(string name, EmbeddingTable table, long cacheBytes)
    {
        Name = name;
        Table = table;
        DefaultRow = table.DefaultRow.ToArray();
        // Behind a cache only misses reach the table; reading a batch's missed rows from disk at once is then worth it.
        _local = new LocalTableTier(table, ownsTable: true) { ReadAhead = cacheBytes > 0 };
        _stack = _local;
        var metrics = new List<TableTierMetrics>(2);
        if (cacheBytes > 0)
        {
            _cached = new CachedTier(new HotRowCache(table.Dim, cacheBytes), _local);
            _stack = _cached;
            metrics.Add(new TableTierMetrics(name, TableTierMetrics.CacheTier, _cached.Metrics));
        }
        metrics.Add(new TableTierMetrics(name, TableTierMetrics.LocalTier, _local.Metrics));
        Metrics = metrics;
    }

    private ServedTable(string name, IEmbeddingTier stack, RedisClusterTier cluster)
    {
        Name = name;
        DefaultRow = cluster.Table.Description.DefaultRow;
        _cluster = cluster;
        _stack = stack;
        _cached = stack as CachedTier;
        var metrics = new List<TableTierMetrics>(2);
        if (_cached is not null)
        {
            metrics.Add(new TableTierMetrics(name, TableTierMetrics.CacheTier, _cached.Metrics));
        }
        metrics.Add(new TableTierMetrics(name, TableTierMetrics.RedisTier, cluster.Metrics));
        Metrics = metrics;
    }

    /// <summary>The table's name in the manifest.</summary>
    public string Name { get; }

    /// <summary>The opened local table, or null for a cluster table.</summary>
    public EmbeddingTable? Table { get; }

    /// <summary>The cluster copy read, or null for a local table.</summary>
    public RedisClusterTable? ClusterTable => _cluster?.Table;

    /// <summary>The row served for ids no tier has.</summary>
    public float[] DefaultRow { get; }

    /// <summary>The hot-row cache in front of the table, or null when the manifest gives it none.</summary>
    public HotRowCache? Cache => _cached?.Cache;

    /// <summary>Values per row.</summary>
    public int Dim => _stack.Dim;

    /// <summary>Counters per tier, cache first.</summary>
    public IReadOnlyList<TableTierMetrics> Metrics { get; }

    /// <summary>Opens the table <paramref name="entry"/> describes and checks it against the manifest.</summary>
    /// <exception cref="ModelLoadException">The table is missing, corrupt, truncated, not what the manifest says, or its cluster copy is unusable.</exception>
    /// <param name="versionPath">The version folder.</param>
    /// <param name="entry">The table's manifest entry.</param>
    /// <param name="redis">The server's flags over a cluster table's connection settings.</param>
    /// <param name="connections">The version's cluster connections (a cluster table needs it; the caller disposes it after the tables).</param>
    public static ServedTable Open(string versionPath, BundleTable entry, RedisClusterOverrides? redis = null, RedisConnectionPool? connections = null)
    {
        if (entry.Tier.Residency == BundleFormat.ResidencyRedis)
        {
            return OpenCluster(versionPath, entry, redis, connections ?? throw new ArgumentNullException(nameof(connections)));
        }
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
            CheckShape(entry, table.Dim, table.DataType, table.RowCount);
            return new ServedTable(entry.Name, table, entry.Tier.CacheBytes);
        }
        catch
        {
            table.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Rows of <paramref name="ids"/> from the table itself, not its cache; false where the table lacks the id. A local
    /// table's read is not counted in its metrics (it is no request's); a cluster read is, being real cluster traffic.
    /// </summary>
    public void ReadRows(ReadOnlySpan<long> ids, Span<float> rows, Span<bool> found)
    {
        if (_cluster is not null)
        {
            _cluster.Gather(ids, rows, found);
            return;
        }
        var dim = Dim;
        for (var i = 0; i < ids.Length; i++)
        {
            found[i] = Table!.ReadRowOrDefault(ids[i], rows.Slice(i * dim, dim));
        }
    }

    /// <summary>Pools [batch, <paramref name="bagSize"/>] ids padded with negative ids (see <see cref="EmbeddingPooling.Pool"/>).</summary>
    public void Pool(ReadOnlySpan<long> ids, int bagSize, PoolingMode mode, Span<float> output)
    {
        if (_local is null || _cached is not null)
        {
            TierPooling.Pool(_stack, DefaultRow, ids, bagSize, default, mode, output);
            return;
        }
        var stats = EmbeddingPooling.Pool(_local.Table, ids, bagSize, mode, output);
        _local.Metrics.RecordBatch(stats.Lookups, stats.Hits);
    }

    /// <summary>Pools ragged bags with sum or mean (see <see cref="EmbeddingPooling.PoolRagged"/>).</summary>
    public void PoolRagged(ReadOnlySpan<long> ids, ReadOnlySpan<int> lengths, PoolingMode mode, Span<float> output)
    {
        if (_local is null || _cached is not null)
        {
            TierPooling.Pool(_stack, DefaultRow, ids, 0, lengths, mode, output);
            return;
        }
        var stats = EmbeddingPooling.PoolRagged(_local.Table, ids, lengths, mode, output);
        _local.Metrics.RecordBatch(stats.Lookups, stats.Hits);
    }

    /// <summary>Closes the table (a cluster table's connection belongs to the version's pool, closed after the tables).</summary>
    public void Dispose()
    {
        _local?.Dispose();
        _cluster?.Dispose();
    }

    private static void CheckShape(BundleTable entry, int dim, Core.Tensors.TensorDataType dataType, long rows)
    {
        var dtype = DataTypeNames.ToName(dataType);
        if (dim != entry.Dim || dtype != entry.Dtype || rows != entry.Rows)
        {
            throw new ModelLoadException(
                $"table '{entry.Name}' holds {rows} rows of dim {dim} {dtype}, but model.json says {entry.Rows} rows of dim {entry.Dim} {entry.Dtype}");
        }
    }
}
