using RecServe.Core.Tensors;
using RecServe.Embeddings.Cache;
using RecServe.Embeddings.Tables;
using RecServe.Embeddings.Tiers;

namespace RecServe.Embeddings.Tests.Tiers;

public sealed class CachedTierTests : IDisposable
{
    private readonly TestTables _tables = new();

    public void Dispose() => _tables.Dispose();

    [Theory]
    [InlineData(TableResidency.Mapped)]
    [InlineData(TableResidency.Memory)]
    public void LocalTierGathersRowsAndCounts(TableResidency residency)
    {
        var data = _tables.Write(100, 12, TensorDataType.Float16);
        using var tier = new LocalTableTier(EmbeddingTable.Open(data.Folder, new TableOpenOptions { Residency = residency }), ownsTable: true);
        long[] ids = [data.Ids[5], 999, data.Ids[7]];
        var rows = Enumerable.Repeat(-7f, 36).ToArray();
        var found = new bool[3];
        Assert.Equal(2, tier.Gather(ids, rows, found));
        Assert.Equal([true, false, true], found);
        var expected = new float[12];
        tier.Table.ReadRow(5, expected);
        Assert.Equal(expected, rows[..12]);
        Assert.All(rows[12..24], v => Assert.Equal(-7f, v));
        Assert.Equal(3, tier.Metrics.Lookups);
        Assert.Equal(2, tier.Metrics.Hits);
        Assert.Equal(1, tier.Metrics.Misses);
        Assert.Equal(tier.Table.ByteSize, tier.Metrics.ResidentBytes);
    }

    [Fact]
    public void CacheServesRepeatsAndPassesMissesDown()
    {
        var data = _tables.Write(100, 8, TensorDataType.Int8);
        using var local = new LocalTableTier(EmbeddingTable.Open(data.Folder), ownsTable: true);
        var tier = new CachedTier(new HotRowCache(8, 1 << 16), local);
        long[] ids = [data.Ids[1], data.Ids[2], 12345];
        var rows = new float[24];
        var found = new bool[3];
        Assert.Equal(2, tier.Gather(ids, rows, found));
        Assert.Equal(2, tier.Gather(ids, rows, found));
        Assert.Equal([true, true, false], found);
        Assert.Equal(6, tier.Metrics.Lookups);
        Assert.Equal(2, tier.Metrics.Hits);
        Assert.Equal(4, tier.Metrics.Misses);
        Assert.Equal(4, local.Metrics.Lookups);
        Assert.Equal(2 * tier.Cache.EntryBytes, tier.Metrics.ResidentBytes);
        var expected = new float[8];
        local.Table.ReadRow(2, expected);
        Assert.Equal(expected, rows[8..16]);
    }

    [Fact]
    public void ConcurrentLookupsDuringCacheChurnAlwaysEqualTheTable()
    {
        const int Dim = 24;
        var data = _tables.Write(5000, Dim, TensorDataType.Float32, seed: 11);
        using var local = new LocalTableTier(EmbeddingTable.Open(data.Folder), ownsTable: true);
        // Room for about a tenth of the rows: admission and eviction never stop.
        var tier = new CachedTier(new HotRowCache(Dim, 500L * (Dim * 4 + 20)), local);
        var stop = DateTime.UtcNow.AddSeconds(2);
        var failures = 0;
        var threads = Enumerable.Range(0, 8).Select(t => new Thread(() =>
        {
            var random = new Random(t);
            var ids = new long[32];
            var rows = new float[32 * Dim];
            var found = new bool[32];
            while (DateTime.UtcNow < stop)
            {
                for (var i = 0; i < ids.Length; i++)
                {
                    // Readers (even threads) ask for a skewed set that lives in the cache; churners (odd threads)
                    // sweep the whole table, forcing admissions and evictions under the readers' feet.
                    var row = t % 2 == 0
                        ? (random.Next(4) == 0 ? random.Next(50) : random.Next(1000))
                        : random.Next(data.Ids.Length);
                    ids[i] = data.Ids[row];
                }
                tier.Gather(ids, rows, found);
                for (var i = 0; i < ids.Length; i++)
                {
                    var row = Array.IndexOf(data.Ids, ids[i]);
                    if (!found[i] || !rows.AsSpan(i * Dim, Dim).SequenceEqual(data.Row(row)))
                    {
                        Interlocked.Increment(ref failures);
                    }
                }
            }
        })).ToArray();
        foreach (var thread in threads)
        {
            thread.Start();
        }
        foreach (var thread in threads)
        {
            thread.Join();
        }
        Assert.Equal(0, failures);
        Assert.True(tier.Metrics.Hits > 0);
        Assert.True(tier.Metrics.Misses > 0);
    }

    [Fact]
    public void MismatchedDimsAreRejected()
    {
        var data = _tables.Write(10, 8, TensorDataType.Float32);
        using var local = new LocalTableTier(EmbeddingTable.Open(data.Folder), ownsTable: true);
        Assert.Throws<ArgumentException>(() => new CachedTier(new HotRowCache(4, 1 << 16), local));
    }
}
