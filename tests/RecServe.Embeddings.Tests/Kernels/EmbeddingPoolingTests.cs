using RecServe.Core.Tensors;
using RecServe.Embeddings.Kernels;
using RecServe.Embeddings.Tables;

namespace RecServe.Embeddings.Tests.Kernels;

public sealed class EmbeddingPoolingTests : IDisposable
{
    private static readonly KernelIsa[] Isas = [KernelIsa.Scalar, KernelIsa.Vector256, KernelIsa.Vector512];
    private readonly TestTables _tables = new();

    public void Dispose() => _tables.Dispose();

    public static TheoryData<TensorDataType, PoolingMode, int, int> Cases()
    {
        var data = new TheoryData<TensorDataType, PoolingMode, int, int>();
        foreach (var dataType in new[] { TensorDataType.Float32, TensorDataType.Float16, TensorDataType.Int8 })
        {
            foreach (var mode in new[] { PoolingMode.Sum, PoolingMode.Mean, PoolingMode.None })
            {
                foreach (var (dim, bag) in new[] { (1, 3), (7, 5), (16, 1), (24, 8), (64, 40), (100, 17), (128, 32) })
                {
                    data.Add(dataType, mode, dim, bag);
                }
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void PaddedBatchMatchesScalarReferenceOnEveryVectorPath(TensorDataType dataType, PoolingMode mode, int dim, int bag)
    {
        var data = _tables.Write(300, dim, dataType, seed: dim * 31 + bag, defaultRow: Enumerable.Range(0, dim).Select(i => i * 0.25f - 1).ToArray());
        using var table = EmbeddingTable.Open(data.Folder);
        const int Batch = 9;
        var ids = RandomBagIds(new Random(bag), data.Ids, Batch * bag, out var expectedLookups, out var expectedMisses);
        var expected = Reference(table, ids, Enumerable.Repeat(bag, Batch).ToArray(), mode);

        float[]? previous = null;
        foreach (var isa in Isas)
        {
            var output = new float[EmbeddingPooling.OutputLength(Batch, bag, dim, mode)];
            var stats = EmbeddingPooling.Pool(table, ids, bag, mode, output, isa);
            Assert.Equal(expectedLookups, stats.Lookups);
            Assert.Equal(expectedMisses, stats.Misses);
            AssertClose(expected, output);
            if (previous is not null)
            {
                // Every path adds rows in the same order with the same operations, so results are bit-identical.
                Assert.Equal(previous, output);
            }
            previous = output;
        }
    }

    public static TheoryData<TensorDataType, PoolingMode, int> WholeBagCases()
    {
        var data = new TheoryData<TensorDataType, PoolingMode, int>();
        foreach (var dataType in new[] { TensorDataType.Float32, TensorDataType.Float16, TensorDataType.Int8 })
        {
            foreach (var mode in new[] { PoolingMode.Sum, PoolingMode.Mean })
            {
                // 1: the one-row path; 3: segments of 63 ids; 64: one bag per segment; 65: too long, the cursor path.
                foreach (var bag in new[] { 1, 2, 3, 8, 64, 65 })
                {
                    data.Add(dataType, mode, bag);
                }
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(WholeBagCases))]
    public void FixedBagsGiveWhatTheGeneralBagLoopGives(TensorDataType dataType, PoolingMode mode, int bag)
    {
        const int Dim = 40;
        const int Batch = 37;
        var data = _tables.Write(400, Dim, dataType, seed: bag, defaultRow: Enumerable.Range(0, Dim).Select(i => 0.5f - i * 0.125f).ToArray());
        using var table = EmbeddingTable.Open(data.Folder);
        var ids = RandomBagIds(new Random(bag * 7), data.Ids, Batch * bag, out var lookups, out var misses);
        // One bag of padding only, which must pool to zeros.
        for (var i = 2 * bag; i < 3 * bag; i++)
        {
            lookups -= ids[i] >= 0 ? 1 : 0;
            misses -= ids[i] >= 0 && Array.IndexOf(data.Ids, ids[i]) < 0 ? 1 : 0;
            ids[i] = -1;
        }
        int[] lengths = [.. Enumerable.Repeat(bag, Batch)];
        foreach (var isa in Isas)
        {
            // Ragged input always takes the general loop (bag cursor across segments), so it is the oracle here.
            var general = new float[Batch * Dim];
            EmbeddingPooling.PoolRagged(table, ids, lengths, mode, general, isa);
            var fixedBags = new float[Batch * Dim];
            var stats = EmbeddingPooling.Pool(table, ids, bag, mode, fixedBags, isa);
            Assert.Equal(lookups, stats.Lookups);
            Assert.Equal(misses, stats.Misses);
            AssertClose(general, fixedBags);
            Assert.All(fixedBags.AsSpan(2 * Dim, Dim).ToArray(), value => Assert.Equal(0f, value));
        }
    }

    [Theory]
    [InlineData(TensorDataType.Float32, PoolingMode.Sum)]
    [InlineData(TensorDataType.Float16, PoolingMode.Mean)]
    [InlineData(TensorDataType.Int8, PoolingMode.None)]
    [InlineData(TensorDataType.Int8, PoolingMode.Mean)]
    public void RaggedBatchMatchesScalarReference(TensorDataType dataType, PoolingMode mode)
    {
        var data = _tables.Write(200, 20, dataType, seed: 5);
        using var table = EmbeddingTable.Open(data.Folder);
        int[] lengths = [0, 3, 0, 1, 20, 7, 0, 33, 64, 65, 0, 0];
        var ids = RandomBagIds(new Random(3), data.Ids, lengths.Sum(), out var lookups, out var misses);
        var expected = Reference(table, ids, lengths, mode);
        foreach (var isa in Isas)
        {
            var output = new float[mode == PoolingMode.None ? ids.Length * 20 : lengths.Length * 20];
            var stats = EmbeddingPooling.PoolRagged(table, ids, lengths, mode, output, isa);
            Assert.Equal(lookups, stats.Lookups);
            Assert.Equal(misses, stats.Misses);
            AssertClose(expected, output);
        }
    }

    [Fact]
    public void RaggedBatchOfEmptyBagsIsAllZeros()
    {
        var data = _tables.Write(10, 4, TensorDataType.Float32, defaultRow: [9, 9, 9, 9]);
        using var table = EmbeddingTable.Open(data.Folder);
        var output = Enumerable.Repeat(float.NaN, 12).ToArray();
        var stats = EmbeddingPooling.PoolRagged(table, [], [0, 0, 0], PoolingMode.Mean, output);
        Assert.Equal(new PoolingStats(0, 0), stats);
        Assert.Equal(new float[12], output);
    }

    [Fact]
    public void PaddingIsSkippedAndEmptyBagsAreZero()
    {
        var data = _tables.Write(10, 4, TensorDataType.Float32, defaultRow: [9, 9, 9, 9]);
        using var table = EmbeddingTable.Open(data.Folder);
        long[] ids = [data.Ids[0], -1, data.Ids[1], -1, -1, -1];
        var output = new float[3 * 4];
        var stats = EmbeddingPooling.Pool(table, ids, 2, PoolingMode.Mean, output);
        Assert.Equal(new PoolingStats(2, 0), stats);
        Assert.Equal(data.Row(0).ToArray(), output[..4]);
        Assert.Equal(data.Row(1).ToArray(), output[4..8]);
        Assert.Equal(new float[4], output[8..]);
    }

    [Fact]
    public void UnpooledPaddingRowsAreZeroAndMissesGetTheDefaultRow()
    {
        var data = _tables.Write(10, 4, TensorDataType.Float32, defaultRow: [1, 2, 3, 4]);
        using var table = EmbeddingTable.Open(data.Folder);
        long[] ids = [data.Ids[3], -1, 424242];
        var output = Enumerable.Repeat(float.NaN, 12).ToArray();
        var stats = EmbeddingPooling.Pool(table, ids, 3, PoolingMode.None, output);
        Assert.Equal(new PoolingStats(2, 1), stats);
        Assert.Equal(1, stats.Hits);
        Assert.Equal(data.Row(3).ToArray(), output[..4]);
        Assert.Equal(new float[4], output[4..8]);
        Assert.Equal([1f, 2, 3, 4], output[8..]);
    }

    [Fact]
    public void MissesAreCountedAndPooledAsTheDefaultRow()
    {
        var data = _tables.Write(10, 2, TensorDataType.Float32, defaultRow: [1, -1]);
        using var table = EmbeddingTable.Open(data.Folder);
        long[] ids = [111, 222, 333];
        var output = new float[2];
        var stats = EmbeddingPooling.Pool(table, ids, 3, PoolingMode.Sum, output);
        Assert.Equal(new PoolingStats(3, 3), stats);
        Assert.Equal([3f, -3f], output);
    }

    [Fact]
    public void IdEqualToTheEmptyMarkerPools()
    {
        var data = _tables.Write(50, 8, TensorDataType.Float16, includeEmptyKey: true);
        using var table = EmbeddingTable.Open(data.Folder);
        var output = new float[8];
        var stats = EmbeddingPooling.Pool(table, [0L], 1, PoolingMode.Sum, output);
        Assert.Equal(new PoolingStats(1, 0), stats);
        var expected = new float[8];
        table.ReadRowOrDefault(0, expected);
        Assert.Equal(expected, output);
    }

    [Theory]
    [InlineData(new[] { 2, 2 }, 5)]
    [InlineData(new[] { 2, 4 }, 5)]
    [InlineData(new[] { 6, -1 }, 5)]
    public void RaggedLengthsThatDoNotAddUpAreRejected(int[] lengths, int idCount)
    {
        var data = _tables.Write(10, 2, TensorDataType.Float32);
        using var table = EmbeddingTable.Open(data.Folder);
        var ids = new long[idCount];
        var output = new float[lengths.Length * 2];
        Assert.Throws<ArgumentException>(() => EmbeddingPooling.PoolRagged(table, ids, lengths, PoolingMode.Sum, output));
    }

    [Fact]
    public void WrongShapesAreRejected()
    {
        var data = _tables.Write(10, 2, TensorDataType.Float32);
        using var table = EmbeddingTable.Open(data.Folder);
        Assert.Throws<ArgumentException>(() => EmbeddingPooling.Pool(table, new long[5], 2, PoolingMode.Sum, new float[4]));
        Assert.Throws<ArgumentException>(() => EmbeddingPooling.Pool(table, new long[4], 2, PoolingMode.Sum, new float[5]));
        Assert.Throws<ArgumentException>(() => EmbeddingPooling.Pool(table, new long[4], 0, PoolingMode.Sum, new float[4]));
        Assert.Throws<ArgumentException>(() => EmbeddingPooling.Pool(table, new long[4], 2, PoolingMode.None, new float[4]));
    }

    [Theory]
    [InlineData(TensorDataType.Float32)]
    [InlineData(TensorDataType.Float16)]
    [InlineData(TensorDataType.Int8)]
    public void PoolingAllocatesNothing(TensorDataType dataType)
    {
        var data = _tables.Write(1000, 64, dataType);
        using var table = EmbeddingTable.Open(data.Folder);
        var ids = RandomBagIds(new Random(1), data.Ids, 256 * 8, out _, out _);
        var output = new float[256 * 64];
        int[] lengths = [.. Enumerable.Repeat(8, 256)];
        EmbeddingPooling.Pool(table, ids, 8, PoolingMode.Mean, output);
        EmbeddingPooling.PoolRagged(table, ids, lengths, PoolingMode.Sum, output);
        // The JIT may still recompile the kernel at a higher tier during the first rounds and charge the thread
        // for it; a kernel that allocates per call allocates in every round, so one clean round of five proves it.
        var allocated = new List<long>();
        for (var round = 0; round < 5 && (allocated.Count == 0 || allocated[^1] != 0); round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 20; i++)
            {
                EmbeddingPooling.Pool(table, ids, 8, PoolingMode.Mean, output);
                EmbeddingPooling.PoolRagged(table, ids, lengths, PoolingMode.Sum, output);
            }
            allocated.Add(GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.True(allocated[^1] == 0, $"bytes allocated per round of 40 calls: {string.Join(", ", allocated)}");
    }

    /// <summary>Ids drawn from the table, with about 10% padding and 10% unknown ids mixed in.</summary>
    internal static long[] RandomBagIds(Random random, long[] tableIds, int count, out long lookups, out long misses)
    {
        var ids = new long[count];
        lookups = 0;
        misses = 0;
        for (var i = 0; i < count; i++)
        {
            var roll = random.Next(10);
            if (roll == 0)
            {
                ids[i] = -1 - random.Next(1000);
                continue;
            }
            lookups++;
            if (roll == 1)
            {
                ids[i] = random.NextInt64(1, long.MaxValue);
                misses++;
                continue;
            }
            ids[i] = tableIds[random.Next(tableIds.Length)];
        }
        return ids;
    }

    /// <summary>The obvious algorithm, in double precision, over the table's scalar decode.</summary>
    internal static float[] Reference(EmbeddingTable table, long[] ids, int[] lengths, PoolingMode mode)
    {
        var dim = table.Dim;
        var output = new List<float>();
        var row = new float[dim];
        var start = 0;
        foreach (var length in lengths)
        {
            var sum = new double[dim];
            var used = 0;
            for (var i = start; i < start + length; i++)
            {
                if (ids[i] < 0)
                {
                    if (mode == PoolingMode.None)
                    {
                        output.AddRange(new float[dim]);
                    }
                    continue;
                }
                table.ReadRowOrDefault(ids[i], row);
                if (mode == PoolingMode.None)
                {
                    output.AddRange(row);
                }
                for (var d = 0; d < dim; d++)
                {
                    sum[d] += row[d];
                }
                used++;
            }
            if (mode != PoolingMode.None)
            {
                output.AddRange(sum.Select(v => (float)(mode == PoolingMode.Mean && used > 0 ? v / used : v)));
            }
            start += length;
        }
        return [.. output];
    }

    internal static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            var tolerance = 2e-5f * (1 + Math.Abs(expected[i])) * 40;
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"element {i}: {actual[i]} vs reference {expected[i]}");
        }
    }
}
