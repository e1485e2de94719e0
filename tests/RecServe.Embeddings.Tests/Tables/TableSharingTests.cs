using RecServe.Core.Tensors;
using RecServe.Embeddings.Deltas;
using RecServe.Embeddings.Kernels;
using RecServe.Embeddings.Overlay;
using RecServe.Embeddings.Tables;

namespace RecServe.Embeddings.Tests.Tables;

/// <summary>
/// Tables opened with <see cref="TableOpenOptions.ShareOpenFiles"/> serve one copy of the bytes of identical folders
/// (another version's copy of an unchanged table), each with its own overlay, and never share with a damaged copy.
/// </summary>
[Collection(TableRegistryCollection.Name)]
public sealed class TableSharingTests : IDisposable
{
    private const int Dim = 8;
    private static readonly TableOpenOptions Sharing = new() { ShareOpenFiles = true };
    private readonly TestTables _tables = new();
    private readonly TableData _data;

    public TableSharingTests()
    {
        _data = _tables.Write(500, Dim, TensorDataType.Float32, name: "v1");
    }

    public void Dispose() => _tables.Dispose();

    [Theory]
    [InlineData(TableResidency.Mapped)]
    [InlineData(TableResidency.Memory)]
    public void ACopyOfAnOpenTableSharesItsBytesUntilTheLastHolderCloses(TableResidency residency)
    {
        var options = new TableOpenOptions { ShareOpenFiles = true, Residency = residency };
        var copy = CopyFolder(_data.Folder, "v2");
        var before = TableFileRegistry.Count;

        var first = EmbeddingTable.Open(_data.Folder, options);
        using var second = EmbeddingTable.Open(copy, options);

        Assert.False(first.SharesFiles);
        Assert.True(second.SharesFiles);
        Assert.Equal(before + 1, TableFileRegistry.Count);
        first.Dispose();
        Assert.Equal(before + 1, TableFileRegistry.Count);
        Assert.Equal(_data.Row(7).ToArray(), Read(second, _data.Ids[7]));
        second.Dispose();
        Assert.Equal(before, TableFileRegistry.Count);
    }

    [Fact]
    public void TablesSharingBytesKeepTheirOwnOverlays()
    {
        using var old = EmbeddingTable.Open(_data.Folder, Sharing);
        using var fresh = EmbeddingTable.Open(CopyFolder(_data.Folder, "v2"), Sharing);
        Assert.True(fresh.SharesFiles);
        var delta = Path.Combine(_tables.Root, "1.delta");
        using (var writer = new DeltaFileWriter(delta, 1, [new DeltaTableSchema("test", Dim, TensorDataType.Float32)]))
        {
            writer.Upsert(0, _data.Ids[0], Enumerable.Repeat(5f, Dim).ToArray());
            writer.Complete();
        }

        using var overlay = EmbeddingOverlay.Open(Path.Combine(_tables.Root, "state"), [old]);
        Assert.True(overlay.Apply(delta).Applied);

        Assert.Equal(Enumerable.Repeat(5f, Dim).ToArray(), Read(old, _data.Ids[0]));
        Assert.Equal(_data.Row(0).ToArray(), Read(fresh, _data.Ids[0]));
    }

    [Fact]
    public void ATruncatedCopyIsNotSharedAndIsRefused()
    {
        using var first = EmbeddingTable.Open(_data.Folder, Sharing);
        var copy = CopyFolder(_data.Folder, "v2");
        using (var stream = new FileStream(Path.Combine(copy, TableFormat.RowsFileName), FileMode.Open))
        {
            stream.SetLength(stream.Length - 64);
        }

        var e = Assert.Throws<TableFormatException>(() => EmbeddingTable.Open(copy, Sharing));
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void ACopyWithADamagedHeaderIsNotSharedAndIsRefused()
    {
        using var first = EmbeddingTable.Open(_data.Folder, Sharing);
        var copy = CopyFolder(_data.Folder, "v2");
        var rows = Path.Combine(copy, TableFormat.RowsFileName);
        var bytes = File.ReadAllBytes(rows);
        bytes[20] ^= 0x01;
        File.WriteAllBytes(rows, bytes);

        Assert.Throws<TableFormatException>(() => EmbeddingTable.Open(copy, Sharing));
    }

    [Theory]
    [InlineData(TableFormat.RowsFileName)]
    [InlineData(TableFormat.IndexFileName)]
    public void ACopyWithACorruptPayloadIsRefusedThoughItsHeaderMatches(string file)
    {
        using var first = EmbeddingTable.Open(_data.Folder, Sharing);
        var copy = CopyFolder(_data.Folder, "v2");
        var path = Path.Combine(copy, file);
        var bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 0x10;
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<TableFormatException>(() => EmbeddingTable.Open(copy, Sharing));
        Assert.Contains("checksum mismatch", e.Message);
        Assert.Equal(path, e.Path);
    }

    [Fact]
    public void OtherContentOrResidencyOrNoOptInIsNotShared()
    {
        using var first = EmbeddingTable.Open(_data.Folder, Sharing);
        var other = _tables.Write(500, Dim, TensorDataType.Float32, seed: 2, name: "other");

        using var different = EmbeddingTable.Open(other.Folder, Sharing);
        using var inMemory = EmbeddingTable.Open(CopyFolder(_data.Folder, "memory"), new TableOpenOptions { ShareOpenFiles = true, Residency = TableResidency.Memory });
        using var notOptedIn = EmbeddingTable.Open(CopyFolder(_data.Folder, "plain"));

        Assert.False(different.SharesFiles);
        Assert.False(inMemory.SharesFiles);
        Assert.False(notOptedIn.SharesFiles);
        Assert.Equal(other.Row(3).ToArray(), Read(different, other.Ids[3]));
    }

    [Fact]
    public void ATableWrittenInPlaceIsNotHandedOutAgain()
    {
        foreach (var file in Directory.GetFiles(_data.Folder))
        {
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddHours(-1));
        }
        using var first = EmbeddingTable.Open(_data.Folder, Sharing);
        using (var stream = new FileStream(Path.Combine(_data.Folder, TableFormat.RowsFileName), FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite))
        {
            stream.Position = stream.Length - 1;
            var last = stream.ReadByte();
            stream.Position = stream.Length - 1;
            stream.WriteByte((byte)(last ^ 0xFF));
        }
        var copy = CopyFolder(Path.Combine(_tables.Root, "v1"), "v2");

        // The copy now holds the flipped byte, so opening it verifies (and refuses) its own bytes.
        Assert.Throws<TableFormatException>(() => EmbeddingTable.Open(copy, Sharing));
        Assert.Equal(TableFileChange.ChangedInPlace, first.CheckFiles().Change);
    }

    [Fact]
    public void ASharedTableReportsItsOwnFolderReplacedNotTheOneItReadsFrom()
    {
        using var first = EmbeddingTable.Open(_data.Folder, Sharing);
        var copy = CopyFolder(_data.Folder, "v2");
        using var second = EmbeddingTable.Open(copy, Sharing);

        Directory.Delete(_data.Folder, recursive: true); // the old version's folder is cleaned up after a swap

        Assert.Equal(TableFileChange.None, second.CheckFiles().Change);
        Assert.Equal(TableFileChange.Replaced, first.CheckFiles().Change);
        Assert.Equal(_data.Row(9).ToArray(), Read(second, _data.Ids[9]));
    }

    private string CopyFolder(string folder, string name)
    {
        var target = Path.Combine(_tables.Root, name);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(folder))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }
        return target;
    }

    private static float[] Read(EmbeddingTable table, long id)
    {
        var output = new float[Dim];
        EmbeddingPooling.Pool(table, [id], 1, PoolingMode.Sum, output);
        return output;
    }
}

/// <summary>Tests that count the process-wide table registry run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TableRegistryCollection
{
    public const string Name = "table registry";
}
