using RecServe.Core.Tensors;
using RecServe.Embeddings.Tables;

namespace RecServe.Embeddings.Tests.Tables;

public sealed class EmbeddingTableTests : IDisposable
{
    private readonly TestTables _tables = new();

    public void Dispose() => _tables.Dispose();

    [Theory]
    [InlineData(TensorDataType.Float32, TableResidency.Mapped)]
    [InlineData(TensorDataType.Float32, TableResidency.Memory)]
    [InlineData(TensorDataType.Float16, TableResidency.Mapped)]
    [InlineData(TensorDataType.Float16, TableResidency.Memory)]
    [InlineData(TensorDataType.Int8, TableResidency.Mapped)]
    [InlineData(TensorDataType.Int8, TableResidency.Memory)]
    public void RowsRoundTripWithinTheDataTypesError(TensorDataType dataType, TableResidency residency)
    {
        var data = _tables.Write(500, 19, dataType);
        using var table = EmbeddingTable.Open(data.Folder, new TableOpenOptions { Residency = residency });
        Assert.Equal(500, table.RowCount);
        Assert.Equal(19, table.Dim);
        Assert.Equal(dataType, table.DataType);
        Assert.Equal(residency, table.Residency);
        var row = new float[19];
        for (var i = 0; i < data.Ids.Length; i++)
        {
            Assert.True(table.TryGetRow(data.Ids[i], out var rowIndex));
            Assert.Equal(i, rowIndex);
            table.ReadRow(rowIndex, row);
            AssertWithinQuantisationError(data.Row(i), row, dataType, table.GetRowBytes(rowIndex));
        }
    }

    [Fact]
    public void Int8ErrorIsAtMostHalfAScaleStep()
    {
        var data = _tables.Write(300, 64, TensorDataType.Int8, seed: 7);
        using var table = EmbeddingTable.Open(data.Folder);
        var row = new float[64];
        for (var i = 0; i < data.Ids.Length; i++)
        {
            table.ReadRow(i, row);
            var scale = BitConverter.ToSingle(table.GetRowBytes(i)[..4]);
            Assert.True(scale > 0);
            for (var d = 0; d < 64; d++)
            {
                Assert.True(Math.Abs(row[d] - data.Row(i)[d]) <= scale / 2 + 1e-6f, $"row {i} value {d}: {row[d]} vs {data.Row(i)[d]}, scale {scale}");
            }
        }
    }

    [Fact]
    public void Fp16RelativeErrorIsBelowOneThousandth()
    {
        var data = _tables.Write(300, 32, TensorDataType.Float16, seed: 8);
        using var table = EmbeddingTable.Open(data.Folder);
        var row = new float[32];
        for (var i = 0; i < data.Ids.Length; i++)
        {
            table.ReadRow(i, row);
            for (var d = 0; d < 32; d++)
            {
                var expected = data.Row(i)[d];
                Assert.True(Math.Abs(row[d] - expected) <= 1e-3f * Math.Abs(expected) + 1e-7f, $"{row[d]} vs {expected}");
            }
        }
    }

    [Fact]
    public void ConstantInt8RowIsExact()
    {
        var folder = Path.Combine(_tables.Root, "constant");
        using (var writer = new EmbeddingTableWriter(folder, "c", 4, TensorDataType.Int8))
        {
            writer.Add(5, [1.25f, 1.25f, 1.25f, 1.25f]);
            writer.Complete();
        }
        using var table = EmbeddingTable.Open(folder);
        var row = new float[4];
        Assert.True(table.ReadRowOrDefault(5, row));
        Assert.Equal([1.25f, 1.25f, 1.25f, 1.25f], row);
    }

    [Fact]
    public void OneMillionRandomIdsRoundTrip()
    {
        const int Count = 1_000_000;
        var random = new Random(42);
        var all = TestTables.DistinctIds(random, 2 * Count, positive: false);
        var folder = Path.Combine(_tables.Root, "million");
        using (var writer = new EmbeddingTableWriter(folder, "million", 1, TensorDataType.Float32))
        {
            Span<float> row = stackalloc float[1];
            for (var i = 0; i < Count; i++)
            {
                row[0] = i;
                writer.Add(all[i], row);
            }
            writer.Complete();
        }
        using var table = EmbeddingTable.Open(folder);
        Assert.Equal(Count, table.RowCount);
        Span<float> value = stackalloc float[1];
        for (var i = 0; i < Count; i++)
        {
            if (!table.TryGetRow(all[i], out var row) || row != i)
            {
                Assert.Fail($"id {all[i]} should be row {i}, got {row}");
            }
            table.ReadRow(row, value);
            Assert.Equal(i, value[0]);
        }
        for (var i = Count; i < all.Length; i++)
        {
            if (table.TryGetRow(all[i], out _))
            {
                Assert.Fail($"id {all[i]} was never added but was found");
            }
        }
    }

    [Fact]
    public void IdEqualToTheEmptyBucketMarkerIsStoredAndFound()
    {
        var data = _tables.Write(100, 8, TensorDataType.Float32, includeEmptyKey: true);
        Assert.Contains(0L, data.Ids);
        using var table = EmbeddingTable.Open(data.Folder);
        Assert.True(table.TryGetRow(0, out var row));
        Assert.Equal(Array.IndexOf(data.Ids, 0L), row);
        for (var i = 0; i < data.Ids.Length; i++)
        {
            Assert.True(table.TryGetRow(data.Ids[i], out var r));
            Assert.Equal(i, r);
        }
    }

    [Fact]
    public void EmptyMarkerIdIsAbsentUnlessAdded()
    {
        var data = _tables.Write(100, 8, TensorDataType.Float32);
        using var table = EmbeddingTable.Open(data.Folder);
        Assert.False(table.TryGetRow(0, out _));
    }

    [Fact]
    public void UnknownIdsGetTheDefaultRow()
    {
        float[] fallback = [0.5f, -1f, 2f, 0f];
        var data = _tables.Write(10, 4, TensorDataType.Float32, defaultRow: fallback);
        using var table = EmbeddingTable.Open(data.Folder);
        var row = new float[4];
        Assert.False(table.ReadRowOrDefault(123456789, row));
        Assert.Equal(fallback, row);
        Assert.Equal(fallback, table.DefaultRow.ToArray());
    }

    [Fact]
    public void DefaultRowIsZerosUnlessGiven()
    {
        var data = _tables.Write(10, 4, TensorDataType.Int8);
        using var table = EmbeddingTable.Open(data.Folder);
        Assert.Equal(new float[4], table.DefaultRow.ToArray());
    }

    [Fact]
    public void EmptyTableOpens()
    {
        var data = _tables.Write(0, 4, TensorDataType.Float16);
        using var table = EmbeddingTable.Open(data.Folder);
        Assert.Equal(0, table.RowCount);
        Assert.False(table.TryGetRow(1, out _));
    }

    [Fact]
    public void MetadataDescribesTheTable()
    {
        var data = _tables.Write(10, 4, TensorDataType.Int8);
        var json = File.ReadAllText(Path.Combine(data.Folder, TableFormat.MetaFileName));
        Assert.Contains("\"dtype\": \"int8\"", json);
        Assert.Contains("\"rowCount\": 10", json);
        Assert.Contains("\"kind\": \"open-addressing\"", json);
        Assert.Contains("\"checksum\"", json);
    }

    [Fact]
    public void DisposedTableRefusesReads()
    {
        var data = _tables.Write(10, 4, TensorDataType.Float32);
        var table = EmbeddingTable.Open(data.Folder);
        table.Dispose();
        Assert.Throws<ObjectDisposedException>(() => table.ReadRow(0, new float[4]));
    }

    internal static void AssertWithinQuantisationError(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, TensorDataType dataType, ReadOnlySpan<byte> encoded)
    {
        var tolerance = dataType switch
        {
            TensorDataType.Float32 => 0f,
            TensorDataType.Int8 => BitConverter.ToSingle(encoded[..4]) / 2 + 1e-6f,
            _ => 0f,
        };
        for (var d = 0; d < expected.Length; d++)
        {
            var allowed = dataType == TensorDataType.Float16 ? 1e-3f * Math.Abs(expected[d]) + 1e-7f : tolerance;
            Assert.True(Math.Abs(expected[d] - actual[d]) <= allowed, $"value {d}: {actual[d]} vs {expected[d]}");
        }
    }
}
