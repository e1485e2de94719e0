using RecServe.Core.Tensors;
using RecServe.Embeddings.Tables;

namespace RecServe.Embeddings.Tests.Tables;

public sealed class TableCorruptionTests : IDisposable
{
    private readonly TestTables _tables = new();

    public void Dispose() => _tables.Dispose();

    public static TheoryData<string, TableResidency> Files() => new()
    {
        { TableFormat.RowsFileName, TableResidency.Mapped },
        { TableFormat.RowsFileName, TableResidency.Memory },
        { TableFormat.IndexFileName, TableResidency.Mapped },
        { TableFormat.IndexFileName, TableResidency.Memory },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void TruncatedFileIsRefused(string file, TableResidency residency)
    {
        var data = _tables.Write(200, 16, TensorDataType.Float32);
        var path = Path.Combine(data.Folder, file);
        using (var stream = new FileStream(path, FileMode.Open))
        {
            stream.SetLength(stream.Length - 100);
        }
        var e = Assert.Throws<TableFormatException>(() => EmbeddingTable.Open(data.Folder, new TableOpenOptions { Residency = residency }));
        Assert.Contains("truncated", e.Message);
        Assert.Equal(path, e.Path);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void FileCutInsideItsHeaderIsRefused(string file, TableResidency residency)
    {
        var data = _tables.Write(200, 16, TensorDataType.Float32);
        var path = Path.Combine(data.Folder, file);
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..20]);
        var e = Assert.Throws<TableFormatException>(() => EmbeddingTable.Open(data.Folder, new TableOpenOptions { Residency = residency }));
        Assert.Contains("truncated", e.Message);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void FlippedPayloadByteIsRefused(string file, TableResidency residency)
    {
        var data = _tables.Write(200, 16, TensorDataType.Int8);
        var path = Path.Combine(data.Folder, file);
        FlipByte(path, new FileInfo(path).Length - 7);
        var e = Assert.Throws<TableFormatException>(() => EmbeddingTable.Open(data.Folder, new TableOpenOptions { Residency = residency }));
        Assert.Contains("checksum", e.Message);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void FlippedHeaderByteIsRefused(string file, TableResidency residency)
    {
        var data = _tables.Write(200, 16, TensorDataType.Float16);
        var path = Path.Combine(data.Folder, file);
        FlipByte(path, 30);
        var e = Assert.Throws<TableFormatException>(() => EmbeddingTable.Open(data.Folder, new TableOpenOptions { Residency = residency }));
        Assert.Contains("header checksum", e.Message);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void WrongMagicIsRefused(string file, TableResidency residency)
    {
        var data = _tables.Write(200, 16, TensorDataType.Float32);
        var path = Path.Combine(data.Folder, file);
        using (var stream = new FileStream(path, FileMode.Open))
        {
            stream.Write("NOTATABL"u8);
        }
        var e = Assert.Throws<TableFormatException>(() => EmbeddingTable.Open(data.Folder, new TableOpenOptions { Residency = residency }));
        Assert.Contains("magic", e.Message);
    }

    [Fact]
    public void RowsFromAnotherTableAreRefused()
    {
        var first = _tables.Write(200, 16, TensorDataType.Float32, seed: 1);
        var second = _tables.Write(200, 16, TensorDataType.Float32, seed: 2);
        File.Copy(Path.Combine(second.Folder, TableFormat.RowsFileName), Path.Combine(first.Folder, TableFormat.RowsFileName), overwrite: true);
        var e = Assert.Throws<TableFormatException>(() => EmbeddingTable.Open(first.Folder));
        Assert.Contains("metadata", e.Message);
    }

    [Fact]
    public void RowCorruptionPassesOnlyWhenRowVerificationIsSkipped()
    {
        var data = _tables.Write(200, 16, TensorDataType.Float32);
        FlipByte(Path.Combine(data.Folder, TableFormat.RowsFileName), 1000);
        Assert.Throws<TableFormatException>(() => EmbeddingTable.Open(data.Folder));
        using var table = EmbeddingTable.Open(data.Folder, new TableOpenOptions { VerifyRows = false });
        Assert.Equal(200, table.RowCount);
    }

    [Fact]
    public void IndexIsVerifiedEvenWhenRowVerificationIsSkipped()
    {
        var data = _tables.Write(200, 16, TensorDataType.Float32);
        var path = Path.Combine(data.Folder, TableFormat.IndexFileName);
        FlipByte(path, TableFormat.HeaderBytes + 3);
        Assert.Throws<TableFormatException>(() => EmbeddingTable.Open(data.Folder, new TableOpenOptions { VerifyRows = false }));
    }

    [Theory]
    [InlineData(TableFormat.MetaFileName)]
    [InlineData(TableFormat.IndexFileName)]
    [InlineData(TableFormat.RowsFileName)]
    public void MissingFileIsRefused(string file)
    {
        var data = _tables.Write(20, 4, TensorDataType.Float32);
        File.Delete(Path.Combine(data.Folder, file));
        var e = Assert.Throws<TableFormatException>(() => EmbeddingTable.Open(data.Folder));
        Assert.Contains("missing", e.Message);
    }

    [Fact]
    public void GarbledMetadataIsRefused()
    {
        var data = _tables.Write(20, 4, TensorDataType.Float32);
        File.WriteAllText(Path.Combine(data.Folder, TableFormat.MetaFileName), "{ not json");
        Assert.Throws<TableFormatException>(() => EmbeddingTable.Open(data.Folder));
    }

    [Fact]
    public void UnknownDtypeIsRefused()
    {
        var data = _tables.Write(20, 4, TensorDataType.Float32);
        var meta = Path.Combine(data.Folder, TableFormat.MetaFileName);
        File.WriteAllText(meta, File.ReadAllText(meta).Replace("\"fp32\"", "\"bf16\""));
        var e = Assert.Throws<TableFormatException>(() => EmbeddingTable.Open(data.Folder));
        Assert.Contains("bf16", e.Message);
    }

    private static void FlipByte(string path, long offset)
    {
        using var stream = new FileStream(path, FileMode.Open);
        stream.Position = offset;
        var value = stream.ReadByte();
        stream.Position = offset;
        stream.WriteByte((byte)(value ^ 0x10));
    }
}
