using RecServe.Core.Tensors;
using RecServe.Embeddings.Tables;

namespace RecServe.Embeddings.Tests.Tables;

/// <summary>A table tells an in-place write to its mapped files from a replacement at their path.</summary>
public sealed class TableFileChangeTests : IDisposable
{
    private readonly TestTables _tables = new();

    public void Dispose() => _tables.Dispose();

    [Theory]
    [InlineData(TableResidency.Mapped)]
    [InlineData(TableResidency.Memory)]
    public void AnUntouchedTableReportsNoChange(TableResidency residency)
    {
        var data = WriteAged();
        using var table = EmbeddingTable.Open(data.Folder, new TableOpenOptions { Residency = residency });

        Assert.Equal((TableFileChange.None, (string?)null), table.CheckFiles());
    }

    [Theory]
    [InlineData(TableFormat.RowsFileName)]
    [InlineData(TableFormat.IndexFileName)]
    public void AWriteIntoAMappedFileIsAChangeInPlace(string file)
    {
        var data = WriteAged();
        using var table = EmbeddingTable.Open(data.Folder, new TableOpenOptions { Residency = TableResidency.Mapped });
        var path = Path.Combine(data.Folder, file);

        FlipByteInPlace(path, offset: new FileInfo(path).Length - 1);

        Assert.Equal((TableFileChange.ChangedInPlace, path), table.CheckFiles());
    }

    [Fact]
    public void AMappedFileCutShortIsAChangeInPlace()
    {
        var data = WriteAged();
        using var table = EmbeddingTable.Open(data.Folder, new TableOpenOptions { Residency = TableResidency.Mapped });
        var path = Path.Combine(data.Folder, TableFormat.RowsFileName);

        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            // Only the header's worth is kept and the tail of the map is never read, so the process survives (no SIGBUS).
            stream.SetLength(stream.Length - 4096 > TableFormat.HeaderBytes ? stream.Length - 4096 : TableFormat.HeaderBytes);
        }

        Assert.Equal(TableFileChange.ChangedInPlace, table.CheckFiles().Change);
    }

    [Theory]
    [InlineData(TableResidency.Mapped)]
    [InlineData(TableResidency.Memory)]
    public void AFileRenamedOverTheOpenedOneIsAReplacementAndTheTableStillReadsWhatItOpened(TableResidency residency)
    {
        var data = WriteAged();
        using var table = EmbeddingTable.Open(data.Folder, new TableOpenOptions { Residency = residency });
        var other = _tables.Write(data.Ids.Length, data.Dim, TensorDataType.Float32, seed: 99);
        var path = Path.Combine(data.Folder, TableFormat.RowsFileName);

        File.Move(Path.Combine(other.Folder, TableFormat.RowsFileName), path, overwrite: true);

        Assert.Equal((TableFileChange.Replaced, path), table.CheckFiles());
        var row = new float[data.Dim];
        Assert.True(table.ReadRowOrDefault(data.Ids[3], row));
        Assert.Equal(data.Row(3).ToArray(), row);
    }

    [Fact]
    public void AWriteIntoTheFileOfATableHeldInMemoryIsAReplacementSinceItsCopyCannotTear()
    {
        var data = WriteAged();
        using var table = EmbeddingTable.Open(data.Folder, new TableOpenOptions { Residency = TableResidency.Memory });
        var path = Path.Combine(data.Folder, TableFormat.RowsFileName);

        FlipByteInPlace(path, offset: new FileInfo(path).Length - 1);

        Assert.Equal((TableFileChange.Replaced, path), table.CheckFiles());
        var row = new float[data.Dim];
        Assert.True(table.ReadRowOrDefault(data.Ids[^1], row));
        Assert.Equal(data.Row(data.Ids.Length - 1).ToArray(), row);
    }

    [Fact]
    public void ADisposedTableReportsNoChange()
    {
        var data = WriteAged();
        var table = EmbeddingTable.Open(data.Folder, new TableOpenOptions { Residency = TableResidency.Mapped });
        table.Dispose();

        Assert.Equal(TableFileChange.None, table.CheckFiles().Change);
    }

    /// <summary>
    /// A table whose files were last written an hour ago: a write in this test must move their modification time,
    /// which the file system keeps at the resolution of its clock tick (a few milliseconds).
    /// </summary>
    private TableData WriteAged()
    {
        var data = _tables.Write(300, 16, TensorDataType.Float32);
        foreach (var file in Directory.GetFiles(data.Folder))
        {
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddHours(-1));
        }
        return data;
    }

    private static void FlipByteInPlace(string path, long offset)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        stream.Position = offset;
        var value = stream.ReadByte();
        stream.Position = offset;
        stream.WriteByte((byte)(value ^ 0xFF));
    }
}
