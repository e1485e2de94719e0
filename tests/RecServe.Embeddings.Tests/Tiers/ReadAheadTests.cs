using RecServe.Core.Tensors;
using RecServe.Embeddings.Cache;
using RecServe.Embeddings.Tables;
using RecServe.Embeddings.Tests.Tables;
using RecServe.Embeddings.Tiers;

namespace RecServe.Embeddings.Tests.Tiers;

/// <summary>
/// Readahead of a batch's rows before the gather (<see cref="LocalTableTier.ReadAhead"/>): the OS really reads the
/// dropped pages it is told about, and what is gathered is exactly what a plain gather returns, alone and behind a
/// churning cache.
/// </summary>
public sealed class ReadAheadTests : IDisposable
{
    private readonly TestTables _tables = new();

    public void Dispose() => _tables.Dispose();

    [Theory]
    [InlineData(TensorDataType.Float32, false)]
    [InlineData(TensorDataType.Float16, false)]
    [InlineData(TensorDataType.Int8, false)]
    [InlineData(TensorDataType.Float32, true)]
    [InlineData(TensorDataType.Int8, true)]
    public void GatherWithReadAheadFromDroppedPagesEqualsTheRows(TensorDataType dataType, bool denseRange)
    {
        const int Rows = 20_000;
        const int Dim = 32;
        var data = denseRange ? _tables.WriteIds(TestTables.Consecutive(1000, Rows), Dim, dataType) : _tables.Write(Rows, Dim, dataType, seed: 3);
        using var table = EmbeddingTable.Open(data.Folder);
        using var plain = new LocalTableTier(table);
        // A gate switched on as if a plain batch had read from disk, so the gather below goes through the advice.
        var gate = new ReadAheadGate();
        gate.RecordPlain(majorFaults: 1, rows: 1);
        using var ahead = new LocalTableTier(table) { Gate = gate };
        var random = new Random(5);
        // Spread rows, repeats, neighbours on one page, an unknown id and a negative one.
        var ids = new long[300];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = data.Ids[random.Next(Rows)];
        }
        ids[10] = ids[11];
        ids[20] = data.Ids[7];
        ids[21] = data.Ids[8];
        ids[30] = denseRange ? 1000 + Rows : 123_456_789;
        ids[31] = -1;
        var rowsPath = Path.Combine(data.Folder, TableFormat.RowsFileName);
        var rows = new float[ids.Length * Dim];
        var found = new bool[ids.Length];
        Assert.True(PageResidency.DropRows(table, rowsPath), "the row pages could not be dropped");

        Assert.Equal(ids.Length - 2, ahead.Gather(ids, rows, found));
        Assert.Equal(1, ahead.ReadAheadBatches);
        var expectedRows = new float[ids.Length * Dim];
        var expectedFound = new bool[ids.Length];
        Assert.Equal(ids.Length - 2, plain.Gather(ids, expectedRows, expectedFound));
        Assert.Equal(expectedFound, found);
        Assert.Equal(expectedRows, rows);
        Assert.False(found[30]);
        Assert.False(found[31]);
        var decoded = new float[Dim];
        table.ReadRow(7, decoded);
        Assert.Equal(decoded, rows.AsSpan(20 * Dim, Dim).ToArray());
    }

    [Fact]
    public void APlainGatherFromDiskTurnsReadAheadOn()
    {
        const int Rows = 20_000;
        const int Dim = 32;
        var data = _tables.Write(Rows, Dim, TensorDataType.Float32, seed: 4);
        using var table = EmbeddingTable.Open(data.Folder);
        using var tier = new LocalTableTier(table) { ReadAhead = true };
        var random = new Random(6);
        var ids = Enumerable.Range(0, 300).Select(_ => data.Ids[random.Next(Rows)]).ToArray();
        var rows = new float[ids.Length * Dim];
        var found = new bool[ids.Length];
        tier.Gather(ids, rows, found);
        Assert.False(tier.IsReadingAhead);
        // Random advice: every row page read from disk is a major fault of its own, about one per row here.
        Assert.True(PageResidency.AdviseRandom(table));
        Assert.True(PageResidency.DropRows(table, Path.Combine(data.Folder, TableFormat.RowsFileName)), "the row pages could not be dropped");

        tier.Gather(ids, rows, found);

        Assert.True(tier.IsReadingAhead, "a gather of dropped rows was not seen reading from disk");
        Assert.Equal(0, tier.ReadAheadBatches);
        tier.Gather(ids, rows, found);
        Assert.Equal(1, tier.ReadAheadBatches);
    }

    [Fact]
    public void AdviseWillNeedReadsTheDroppedRowPages()
    {
        const int Rows = 50_000;
        const int Dim = 64;
        var data = _tables.Write(Rows, Dim, TensorDataType.Float32, seed: 9);
        using var table = EmbeddingTable.Open(data.Folder);
        Assert.True(PageResidency.DropRows(table, Path.Combine(data.Folder, TableFormat.RowsFileName)), "the row pages could not be dropped");
        var wanted = new[] { 17, 4_000, 12_345, 33_333, 49_999 };
        Assert.All(wanted, row => Assert.False(PageResidency.RowResident(table, row)));

        table.AdviseWillNeed(wanted.Select(row => data.Ids[row]).ToArray());

        // The reads are asynchronous: wait for them with a deadline, without touching (and so faulting in) the rows.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!wanted.All(row => PageResidency.RowResident(table, row)) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(1);
        }
        Assert.All(wanted, row => Assert.True(PageResidency.RowResident(table, row), $"row {row} was not read ahead"));
        Assert.False(PageResidency.RowResident(table, 25_000));
    }

    [Fact]
    public void AdviseWillNeedOnATableInMemoryChangesNothing()
    {
        var data = _tables.Write(100, 8, TensorDataType.Float32);
        using var table = EmbeddingTable.Open(data.Folder, new TableOpenOptions { Residency = TableResidency.Memory });
        table.AdviseWillNeed(data.Ids);
        var row = new float[8];
        Assert.True(table.ReadRowOrDefault(data.Ids[3], row));
        Assert.Equal(data.Row(3).ToArray(), row);
    }

    [Fact]
    public void ConcurrentLookupsWithReadAheadDuringCacheChurnAlwaysEqualTheTable()
    {
        const int Dim = 16;
        var data = _tables.Write(20_000, Dim, TensorDataType.Float32, seed: 13);
        var rowOf = new Dictionary<long, int>();
        for (var i = 0; i < data.Ids.Length; i++)
        {
            rowOf[data.Ids[i]] = i;
        }
        // Starts reading ahead, and a probe that meets any disk read keeps it on.
        var gate = new ReadAheadGate(rowsPerMajorFault: 0);
        gate.RecordPlain(majorFaults: 1, rows: 1);
        using var local = new LocalTableTier(EmbeddingTable.Open(data.Folder), ownsTable: true) { Gate = gate };
        // Room for about a twentieth of the rows: misses, readahead, admissions and evictions never stop.
        var tier = new CachedTier(new HotRowCache(Dim, 1000L * (Dim * 4 + 28)), local);
        var rowsPath = Path.Combine(data.Folder, TableFormat.RowsFileName);
        var stop = DateTime.UtcNow.AddSeconds(2);
        var failures = 0;
        var threads = Enumerable.Range(0, 6).Select(t => new Thread(() =>
        {
            var random = new Random(t);
            var ids = new long[64];
            var rows = new float[ids.Length * Dim];
            var found = new bool[ids.Length];
            while (DateTime.UtcNow < stop)
            {
                if (t == 0)
                {
                    // One thread keeps pushing the rows out of memory, so readahead really reads under the others.
                    PageResidency.DropRows(local.Table, rowsPath);
                }
                for (var i = 0; i < ids.Length; i++)
                {
                    ids[i] = data.Ids[random.Next(4) == 0 ? random.Next(200) : random.Next(data.Ids.Length)];
                }
                tier.Gather(ids, rows, found);
                for (var i = 0; i < ids.Length; i++)
                {
                    if (!found[i] || !rows.AsSpan(i * Dim, Dim).SequenceEqual(data.Row(rowOf[ids[i]])))
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
        Assert.True(local.Metrics.Lookups > 0);
        Assert.True(local.ReadAheadBatches > 0);
    }

    [Fact]
    public void ReadAheadIsOffForATableInMemory()
    {
        var data = _tables.Write(100, 8, TensorDataType.Float32);
        using var tier = new LocalTableTier(EmbeddingTable.Open(data.Folder, new TableOpenOptions { Residency = TableResidency.Memory }), ownsTable: true)
        {
            ReadAhead = true,
        };
        Assert.False(tier.ReadAhead);
        tier.Gather(data.Ids, new float[800], new bool[100]);
        Assert.False(tier.IsReadingAhead);
    }
}
