using RecServe.Core.Tensors;
using RecServe.Embeddings.Tables;

namespace RecServe.Embeddings.Tests.Tables;

public sealed class EmbeddingTableWriterTests : IDisposable
{
    private readonly TestTables _tables = new();

    public void Dispose() => _tables.Dispose();

    [Fact]
    public void DuplicateIdFailsCompleteAndLeavesNothing()
    {
        var folder = Path.Combine(_tables.Root, "dup");
        using (var writer = new EmbeddingTableWriter(folder, "dup", 2, TensorDataType.Float32))
        {
            writer.Add(7, [1, 2]);
            writer.Add(7, [3, 4]);
            Assert.Throws<ArgumentException>(writer.Complete);
        }
        Assert.Empty(Directory.GetFileSystemEntries(_tables.Root));
    }

    [Fact]
    public void AbandonedWriterLeavesNothing()
    {
        var folder = Path.Combine(_tables.Root, "abandoned");
        using (var writer = new EmbeddingTableWriter(folder, "a", 2, TensorDataType.Float32))
        {
            writer.Add(7, [1, 2]);
        }
        Assert.Empty(Directory.GetFileSystemEntries(_tables.Root));
    }

    [Fact]
    public void TableAppearsOnlyOnComplete()
    {
        var folder = Path.Combine(_tables.Root, "atomic");
        using var writer = new EmbeddingTableWriter(folder, "a", 2, TensorDataType.Float32);
        writer.Add(7, [1, 2]);
        Assert.False(Directory.Exists(folder));
        writer.Complete();
        Assert.True(File.Exists(Path.Combine(folder, TableFormat.MetaFileName)));
        Assert.Single(Directory.GetFileSystemEntries(_tables.Root));
    }

    [Fact]
    public void ExistingTableIsKeptUnlessReplacing()
    {
        var data = _tables.Write(5, 2, TensorDataType.Float32, name: "same");
        using (var writer = new EmbeddingTableWriter(data.Folder, "again", 2, TensorDataType.Float32))
        {
            writer.Add(1, [9, 9]);
            Assert.Throws<IOException>(writer.Complete);
        }
        using (var table = EmbeddingTable.Open(data.Folder))
        {
            Assert.Equal(5, table.RowCount);
        }
        using (var writer = new EmbeddingTableWriter(data.Folder, "again", 2, TensorDataType.Float32) { ReplaceExisting = true })
        {
            writer.Add(1, [9, 9]);
            writer.Complete();
        }
        using (var table = EmbeddingTable.Open(data.Folder))
        {
            Assert.Equal(1, table.RowCount);
            Assert.Equal("again", table.Name);
        }
        Assert.Single(Directory.GetFileSystemEntries(_tables.Root));
    }

    [Theory]
    [InlineData(float.NaN, TensorDataType.Float32)]
    [InlineData(float.PositiveInfinity, TensorDataType.Int8)]
    [InlineData(70000f, TensorDataType.Float16)]
    public void UnrepresentableValuesAreRejected(float value, TensorDataType dataType)
    {
        using var writer = new EmbeddingTableWriter(Path.Combine(_tables.Root, "bad"), "bad", 2, dataType);
        Assert.Throws<ArgumentException>(() => writer.Add(1, [0, value]));
    }

    [Fact]
    public void WrongWidthIsRejected()
    {
        using var writer = new EmbeddingTableWriter(Path.Combine(_tables.Root, "w"), "w", 3, TensorDataType.Float32);
        Assert.Throws<ArgumentException>(() => writer.Add(1, [1, 2]));
        Assert.Throws<ArgumentException>(() => writer.AddRange([1, 2], [1, 2, 3]));
    }

    [Fact]
    public void UnsupportedDataTypeIsRejected()
    {
        Assert.Throws<ArgumentException>(() => new EmbeddingTableWriter(Path.Combine(_tables.Root, "x"), "x", 3, TensorDataType.Float64));
    }

    [Fact]
    public void RowsAreEncodedCompactly()
    {
        Assert.Equal(64 * 4, RowCodec.RowStride(64, TensorDataType.Float32));
        Assert.Equal(64 * 2, RowCodec.RowStride(64, TensorDataType.Float16));
        Assert.Equal(8 + 64, RowCodec.RowStride(64, TensorDataType.Int8));
        Assert.True(RowCodec.RowStride(64, TensorDataType.Int8) <= 0.3 * RowCodec.RowStride(64, TensorDataType.Float32));
    }
}
