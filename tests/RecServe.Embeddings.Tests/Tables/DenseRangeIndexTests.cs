using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text.Json.Nodes;
using RecServe.Core.Tensors;
using RecServe.Embeddings.Kernels;
using RecServe.Embeddings.Tables;

namespace RecServe.Embeddings.Tests.Tables;

/// <summary>Tables whose ids are first, first + 1, …: written without a hash index, looked up by subtraction.</summary>
public sealed class DenseRangeIndexTests : IDisposable
{
    private const int Dim = 8;
    private const int Rows = 300;
    private static readonly float[] DefaultRow = [1, 2, 3, 4, 5, 6, 7, 8];
    private readonly TestTables _tables = new();

    public void Dispose() => _tables.Dispose();

    public static TheoryData<long, TableResidency> Ranges() => new()
    {
        { 0, TableResidency.Mapped },
        { 1_000_000, TableResidency.Memory },
        { 1_000_000, TableResidency.Mapped },
        { long.MaxValue - Rows + 1, TableResidency.Mapped },
    };

    [Theory]
    [MemberData(nameof(Ranges))]
    public void IdsInTheRangeFindTheirRowsAndIdsOnEitherSideGetTheDefaultRowCounted(long first, TableResidency residency)
    {
        var data = _tables.WriteIds(TestTables.Consecutive(first, Rows), Dim, TensorDataType.Float32, defaultRow: DefaultRow);
        using var table = EmbeddingTable.Open(data.Folder, new TableOpenOptions { Residency = residency });

        Assert.Equal(TableIndexKind.DenseRange, table.IndexKind);
        Assert.Equal(first, table.FirstId);
        Assert.Equal(0, table.BucketCount);
        Assert.Equal(TableFormat.HeaderBytes + 16, new FileInfo(Path.Combine(data.Folder, TableFormat.IndexFileName)).Length);
        var row = new float[Dim];
        for (var i = 0; i < Rows; i++)
        {
            Assert.True(table.TryGetRow(first + i, out var rowIndex));
            Assert.Equal(i, rowIndex);
            Assert.True(table.ReadRowOrDefault(first + i, row));
            Assert.Equal(data.Row(i).ToArray(), row);
        }
        var outside = new List<long> { first - 1, -1, long.MinValue, unchecked(first + Rows) };
        if (first + (Rows - 1) != long.MaxValue)
        {
            outside.Add(long.MaxValue);
        }
        foreach (var id in outside)
        {
            Assert.False(table.TryGetRow(id, out _), $"id {id}");
            Assert.False(table.ReadRowOrDefault(id, row), $"id {id}");
            Assert.Equal(DefaultRow, row);
        }

        // Through the kernel: non-negative unknown ids are misses served the default row; negative ids are padding.
        long[] ids = [first, first - 1, unchecked(first + Rows), long.MaxValue];
        var output = new float[ids.Length * Dim];
        var stats = EmbeddingPooling.Pool(table, ids, 1, PoolingMode.Sum, output);
        var expectedMisses = ids.Count(id => id >= 0 && !table.TryGetRow(id, out _));
        Assert.Equal(ids.Count(id => id >= 0), stats.Lookups);
        Assert.Equal(expectedMisses, stats.Misses);
        Assert.Equal(data.Row(0).ToArray(), output[..Dim]);
        if (first - 1 >= 0)
        {
            Assert.Equal(DefaultRow, output[Dim..(2 * Dim)]);
        }
    }

    public static TheoryData<string, long[]> NotARange() => new()
    {
        { "a hole", [10, 11, 12, 14, 15] },
        { "out of order", [10, 12, 11, 13, 14] },
        { "descending", [14, 13, 12, 11, 10] },
        { "a jump", [3, 4, 4 + 0x1_0000_0000L, 6] },
    };

    [Theory]
    [MemberData(nameof(NotARange))]
    public void OtherKeySetsKeepTheHashIndexAndStillAnswerRight(string shape, long[] ids)
    {
        var data = _tables.WriteIds(ids, Dim, TensorDataType.Float16);
        using var table = EmbeddingTable.Open(data.Folder);

        Assert.True(table.IndexKind == TableIndexKind.OpenAddressing, shape);
        Assert.True(table.BucketCount > 0);
        for (var i = 0; i < ids.Length; i++)
        {
            Assert.True(table.TryGetRow(ids[i], out var rowIndex));
            Assert.Equal(i, rowIndex);
        }
        Assert.False(table.TryGetRow(13 + 100, out _));
    }

    [Fact]
    public void HashTablesAreStillWrittenAsVersionOneAndRangeTablesAsVersionTwo()
    {
        var hash = _tables.WriteIds(TestTables.Consecutive(5, 50), Dim, TensorDataType.Int8, allowDenseRange: false);
        var range = _tables.WriteIds(TestTables.Consecutive(5, 50), Dim, TensorDataType.Int8);

        Assert.Equal(1, (int)JsonNode.Parse(File.ReadAllText(Path.Combine(hash.Folder, TableFormat.MetaFileName)))!["formatVersion"]!);
        Assert.Equal(1, BinaryPrimitives.ReadInt32LittleEndian(File.ReadAllBytes(Path.Combine(hash.Folder, TableFormat.IndexFileName)).AsSpan(8)));
        Assert.Null(JsonNode.Parse(File.ReadAllText(Path.Combine(hash.Folder, TableFormat.MetaFileName)))!["index"]!["firstId"]);
        var meta = JsonNode.Parse(File.ReadAllText(Path.Combine(range.Folder, TableFormat.MetaFileName)))!;
        Assert.Equal(2, (int)meta["formatVersion"]!);
        Assert.Equal("dense-range", (string)meta["index"]!["kind"]!);
        Assert.Equal(5, (long)meta["index"]!["firstId"]!);
        Assert.Equal(2, BinaryPrimitives.ReadInt32LittleEndian(File.ReadAllBytes(Path.Combine(range.Folder, TableFormat.RowsFileName)).AsSpan(8)));
        using var hashTable = EmbeddingTable.Open(hash.Folder);
        using var rangeTable = EmbeddingTable.Open(range.Folder);
        Assert.Equal(TableIndexKind.OpenAddressing, hashTable.IndexKind);
        Assert.True(rangeTable.ByteSize < hashTable.ByteSize);
    }

    [Fact]
    public void EntriesOfARangeCoverEveryIdButZeroWhichTryGetRowAnswers()
    {
        var data = _tables.WriteIds(TestTables.Consecutive(-3, 10), Dim, TensorDataType.Float32);
        using var table = EmbeddingTable.Open(data.Folder);
        var ids = new long[4];
        var rows = new int[4];
        var seen = new List<(long, int)>();
        long position = 0;
        while (position < table.EntryPositionCount)
        {
            position = table.ReadEntries(position, ids, rows, out var count);
            for (var i = 0; i < count; i++)
            {
                seen.Add((ids[i], rows[i]));
            }
        }

        Assert.Equal(10, table.EntryPositionCount);
        Assert.Equal(Enumerable.Range(0, 10).Where(r => r != 3).Select(r => (r - 3L, r)), seen);
        Assert.True(table.TryGetRow(0, out var zeroRow));
        Assert.Equal(3, zeroRow);
    }

    [Theory]
    [InlineData(TableResidency.Mapped)]
    [InlineData(TableResidency.Memory)]
    public void AFlippedPayloadByteOrATruncatedIndexIsRefused(TableResidency residency)
    {
        var flipped = _tables.WriteIds(TestTables.Consecutive(7, 40), Dim, TensorDataType.Float32);
        var path = Path.Combine(flipped.Folder, TableFormat.IndexFileName);
        var bytes = File.ReadAllBytes(path);
        bytes[^3] ^= 0x01;
        File.WriteAllBytes(path, bytes);
        var options = new TableOpenOptions { Residency = residency };
        Assert.Contains("checksum mismatch", Assert.Throws<TableFormatException>(() => EmbeddingTable.Open(flipped.Folder, options)).Message);

        var truncated = _tables.WriteIds(TestTables.Consecutive(7, 40), Dim, TensorDataType.Float32);
        path = Path.Combine(truncated.Folder, TableFormat.IndexFileName);
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..^8]);
        var e = Assert.Throws<TableFormatException>(() => EmbeddingTable.Open(truncated.Folder, options));
        Assert.Contains("truncated", e.Message);
        Assert.Equal(path, e.Path);
    }

    [Theory]
    [InlineData("more rows than the rows file", 0, 1)]
    [InlineData("another first id", 1, 0)]
    public void AHeaderWithAValidChecksumThatClaimsAnotherRangeIsRefused(string claim, long firstIdShift, long countShift)
    {
        var data = _tables.WriteIds(TestTables.Consecutive(100, 40), Dim, TensorDataType.Int8);
        ForgeIndexHeader(data.Folder, 100 + firstIdShift, 40 + countShift);

        var e = Assert.Throws<TableFormatException>(() => EmbeddingTable.Open(data.Folder));
        Assert.Contains("metadata says", e.Message);
        Assert.True(e.Path.EndsWith(TableFormat.IndexFileName, StringComparison.Ordinal), claim);
    }

    [Fact]
    public void AHeaderAndMetadataThatAgreeOnAnotherRangeAreRefusedByThePayload()
    {
        var data = _tables.WriteIds(TestTables.Consecutive(100, 40), Dim, TensorDataType.Int8);
        ForgeIndexHeader(data.Folder, 90, 40);
        EditMeta(data.Folder, meta => meta["index"]!["firstId"] = 90);

        var e = Assert.Throws<TableFormatException>(() => EmbeddingTable.Open(data.Folder));
        Assert.Contains("does not match its payload", e.Message);
    }

    [Theory]
    [InlineData("version 1")]
    [InlineData("no firstId")]
    [InlineData("hash kind in the metadata")]
    public void MetadataThatDisagreesWithARangeIndexIsRefused(string edit)
    {
        var data = _tables.WriteIds(TestTables.Consecutive(100, 40), Dim, TensorDataType.Float16);
        EditMeta(data.Folder, meta =>
        {
            switch (edit)
            {
                case "version 1": meta["formatVersion"] = 1; break;
                case "no firstId": meta["index"]!.AsObject().Remove("firstId"); break;
                default:
                    meta["index"]!["kind"] = "open-addressing";
                    meta["index"]!["hash"] = "fibonacci-linear-probe";
                    break;
            }
        });

        var e = Assert.Throws<TableFormatException>(() => EmbeddingTable.Open(data.Folder));
        Assert.Contains(edit == "hash kind in the metadata" ? "metadata says 'open-addressing'" : "needs format version 2", e.Message);
    }

    [Fact]
    public void RangeTablesWithTheSameRowsButAnotherFirstIdAreNotShared()
    {
        var sharing = new TableOpenOptions { ShareOpenFiles = true };
        var a = _tables.WriteIds(TestTables.Consecutive(0, 64), Dim, TensorDataType.Float32, seed: 3);
        var b = _tables.WriteIds(TestTables.Consecutive(1000, 64), Dim, TensorDataType.Float32, seed: 3);
        var aCopy = Path.Combine(_tables.Root, "a-copy");
        Directory.CreateDirectory(aCopy);
        foreach (var file in Directory.GetFiles(a.Folder))
        {
            File.Copy(file, Path.Combine(aCopy, Path.GetFileName(file)));
        }

        using var first = EmbeddingTable.Open(a.Folder, sharing);
        using var other = EmbeddingTable.Open(b.Folder, sharing);
        using var copy = EmbeddingTable.Open(aCopy, sharing);

        Assert.False(other.SharesFiles);
        Assert.True(copy.SharesFiles);
        Assert.True(other.TryGetRow(1000, out var row) && row == 0);
        Assert.False(other.TryGetRow(0, out _));
        Assert.True(copy.TryGetRow(0, out row) && row == 0);
    }

    private static void ForgeIndexHeader(string folder, long firstId, long count)
    {
        var path = Path.Combine(folder, TableFormat.IndexFileName);
        var bytes = File.ReadAllBytes(path);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(24), firstId);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(32), count);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(56), XxHash64.HashToUInt64(bytes.AsSpan(0, 56)));
        File.WriteAllBytes(path, bytes);
    }

    private static void EditMeta(string folder, Action<JsonNode> edit)
    {
        var path = Path.Combine(folder, TableFormat.MetaFileName);
        var meta = JsonNode.Parse(File.ReadAllText(path))!;
        edit(meta);
        File.WriteAllText(path, meta.ToJsonString());
    }
}
