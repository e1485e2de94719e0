using RecServe.Core.Tensors;
using RecServe.Embeddings.Cache;
using RecServe.Embeddings.Kernels;
using RecServe.Embeddings.Tables;
using RecServe.Embeddings.Tiers;

namespace RecServe.Embeddings.Tests.Kernels;

/// <summary>
/// A dense key-range table and a hash-indexed table of the same ids and rows answer every lookup path bit for bit:
/// the index decides only where a row is found, never what is added.
/// </summary>
public sealed class DenseRangePoolingTests : IDisposable
{
    private const long FirstId = 5_000;
    private const int Rows = 400;
    private readonly TestTables _tables = new();

    public void Dispose() => _tables.Dispose();

    public static TheoryData<TensorDataType, PoolingMode, int> Cases()
    {
        var data = new TheoryData<TensorDataType, PoolingMode, int>();
        foreach (var dataType in new[] { TensorDataType.Float32, TensorDataType.Float16, TensorDataType.Int8 })
        {
            foreach (var mode in new[] { PoolingMode.Sum, PoolingMode.Mean, PoolingMode.None })
            {
                // Whole-bag loop (1, 8) and the general loop (a bag longer than a segment).
                foreach (var bag in new[] { 1, 8, 70 })
                {
                    data.Add(dataType, mode, bag);
                }
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void PoolingOverARangeTableEqualsTheHashIndexedTableBitForBit(TensorDataType dataType, PoolingMode mode, int bag)
    {
        const int Dim = 24;
        var (range, hash) = OpenPair(dataType, Dim, seed: bag);
        using var rangeTable = range;
        using var hashTable = hash;
        const int Batch = 7;
        var ids = Ids(new Random(bag), Batch * bag);

        var fromRange = new float[EmbeddingPooling.OutputLength(Batch, bag, Dim, mode)];
        var fromHash = new float[fromRange.Length];
        var rangeStats = EmbeddingPooling.Pool(range, ids, bag, mode, fromRange);
        var hashStats = EmbeddingPooling.Pool(hash, ids, bag, mode, fromHash);

        Assert.Equal(hashStats, rangeStats);
        Assert.True(rangeStats.Misses > 0, "the ids include some outside the range");
        Assert.Equal(fromHash, fromRange);

        var lengths = RaggedLengths(new Random(bag + 1), ids.Length);
        var raggedRange = new float[mode == PoolingMode.None ? ids.Length * Dim : lengths.Length * Dim];
        var raggedHash = new float[raggedRange.Length];
        Assert.Equal(EmbeddingPooling.PoolRagged(hash, ids, lengths, mode, raggedHash), EmbeddingPooling.PoolRagged(range, ids, lengths, mode, raggedRange));
        Assert.Equal(raggedHash, raggedRange);
    }

    [Theory]
    [InlineData(TensorDataType.Float32)]
    [InlineData(TensorDataType.Float16)]
    [InlineData(TensorDataType.Int8)]
    public void GatherAndTheCachedTierOverARangeTableEqualTheHashIndexedTable(TensorDataType dataType)
    {
        const int Dim = 16;
        var (range, hash) = OpenPair(dataType, Dim, seed: 9);
        using var rangeTier = new LocalTableTier(range, ownsTable: true);
        using var hashTier = new LocalTableTier(hash, ownsTable: true);
        var cachedRange = new CachedTier(new HotRowCache(Dim, 64L * (Dim * 4 + 20)), rangeTier);
        var cachedHash = new CachedTier(new HotRowCache(Dim, 64L * (Dim * 4 + 20)), hashTier);
        var random = new Random(3);

        for (var round = 0; round < 5; round++)
        {
            var ids = Ids(random, 200);
            foreach (var (a, b) in new (IEmbeddingTier, IEmbeddingTier)[] { (rangeTier, hashTier), (cachedRange, cachedHash) })
            {
                var rowsA = new float[ids.Length * Dim];
                var rowsB = new float[ids.Length * Dim];
                var foundA = new bool[ids.Length];
                var foundB = new bool[ids.Length];
                Assert.Equal(b.Gather(ids, rowsB, foundB), a.Gather(ids, rowsA, foundA));
                Assert.Equal(foundB, foundA);
                Assert.Contains(false, foundA);
                Assert.Equal(rowsB, rowsA);
            }
        }
    }

    private (EmbeddingTable Range, EmbeddingTable Hash) OpenPair(TensorDataType dataType, int dim, int seed)
    {
        float[] defaultRow = Enumerable.Range(0, dim).Select(i => i * 0.5f - 3).ToArray();
        var ids = TestTables.Consecutive(FirstId, Rows);
        var range = EmbeddingTable.Open(_tables.WriteIds(ids, dim, dataType, seed, allowDenseRange: true, defaultRow).Folder);
        var hash = EmbeddingTable.Open(_tables.WriteIds(ids, dim, dataType, seed, allowDenseRange: false, defaultRow).Folder);
        Assert.Equal(TableIndexKind.DenseRange, range.IndexKind);
        Assert.Equal(TableIndexKind.OpenAddressing, hash.IndexKind);
        return (range, hash);
    }

    /// <summary>Mostly ids in the range, some just outside it on both sides, far outside, and padding.</summary>
    private static long[] Ids(Random random, int count)
    {
        var ids = new long[count];
        for (var i = 0; i < count; i++)
        {
            ids[i] = random.Next(10) switch
            {
                0 => FirstId - 1,
                1 => FirstId + Rows,
                2 => random.Next(2) == 0 ? long.MaxValue : 0,
                3 => -1,
                _ => FirstId + random.Next(Rows),
            };
        }
        return ids;
    }

    private static int[] RaggedLengths(Random random, int total)
    {
        var lengths = new List<int>();
        while (total > 0)
        {
            var length = Math.Min(total, random.Next(0, 12));
            lengths.Add(length);
            total -= length;
        }
        return [.. lengths];
    }
}
