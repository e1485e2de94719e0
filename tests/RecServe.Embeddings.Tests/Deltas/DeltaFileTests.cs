using System.Buffers.Binary;
using RecServe.Core.Tensors;
using RecServe.Embeddings.Deltas;
using RecServe.Embeddings.Tables;

namespace RecServe.Embeddings.Tests.Deltas;

public sealed class DeltaFileTests : IDisposable
{
    private readonly TestTables _files = new();

    private static readonly DeltaTableSchema Users = new("users", 4, TensorDataType.Float32);
    private static readonly DeltaTableSchema Items = new("items", 3, TensorDataType.Int8);

    private string WriteSample(long seq = 7)
    {
        var path = Path.Combine(_files.Root, DeltaFormat.FileName(seq));
        var dense = new DenseWeightUpdate("fc.bias", TensorDataType.Float32, [2], new byte[8]);
        using var writer = new DeltaFileWriter(path, seq, [Users, Items], [dense]);
        writer.Upsert(0, 11, [1, 2, 3, 4]);
        writer.Delete(1, 5);
        writer.Upsert(1, 0, [-1, 0, 1]);
        writer.Upsert(0, 12, [5, 6, 7, 8]);
        writer.Complete();
        return path;
    }

    [Theory]
    [InlineData(TensorDataType.Float32)]
    [InlineData(TensorDataType.Float16)]
    [InlineData(TensorDataType.Int8)]
    public void RoundTripKeepsEveryRecordInOrder(TensorDataType dataType)
    {
        var schema = new DeltaTableSchema("t", 5, dataType);
        var path = Path.Combine(_files.Root, "1.delta");
        var random = new Random(3);
        var rows = new float[100][];
        using (var writer = new DeltaFileWriter(path, 1, [schema]))
        {
            for (var i = 0; i < rows.Length; i++)
            {
                rows[i] = [.. Enumerable.Range(0, 5).Select(_ => (float)(random.NextDouble() * 2 - 1))];
                if (i % 10 == 9)
                {
                    writer.Delete(0, i);
                }
                else
                {
                    writer.Upsert(0, i, rows[i]);
                }
            }
            writer.Complete();
        }

        var delta = DeltaFile.Open(path, [schema]);

        Assert.Equal(1, delta.Seq);
        Assert.Equal(100, delta.RecordCount);
        Assert.Equal(90, delta.Tables[0].Upserts);
        Assert.Equal(10, delta.Tables[0].Deletes);
        var expected = new byte[schema.RowStride];
        var index = 0;
        foreach (var record in delta.Records)
        {
            Assert.Equal(index, record.Id);
            Assert.Equal(index % 10 == 9 ? DeltaRecordKind.Delete : DeltaRecordKind.Upsert, record.Kind);
            if (record.Kind == DeltaRecordKind.Upsert)
            {
                RowCodec.Encode(rows[index], dataType, expected);
                Assert.True(record.Row.SequenceEqual(expected));
            }
            index++;
        }
        Assert.Equal(100, index);
    }

    [Fact]
    public void SchemaAndDenseWeightsReadBack()
    {
        var delta = DeltaFile.Open(WriteSample(), [Users, Items]);

        Assert.Equal(7, delta.Seq);
        Assert.Equal(["users", "items"], delta.Tables.Select(t => t.Name));
        Assert.Equal((2, 0), (delta.Tables[0].Upserts, delta.Tables[0].Deletes));
        Assert.Equal((1, 1), (delta.Tables[1].Upserts, delta.Tables[1].Deletes));
        var dense = Assert.Single(delta.DenseUpdates);
        Assert.Equal(("fc.bias", TensorDataType.Float32, 8), (dense.Name, dense.DataType, dense.Data.Length));
        Assert.Equal([2L], dense.Shape);
        Assert.Equal(DeltaFile.StoredChecksum(File.ReadAllBytes(delta.Path)), delta.Checksum);
    }

    [Fact]
    public void ADeltaOfDenseWeightsAloneReadsBack()
    {
        var path = Path.Combine(_files.Root, "2.delta");
        var bias = new DenseWeightUpdate("fc.bias", TensorDataType.Float32, [2], [1, 2, 3, 4, 5, 6, 7, 8]);
        using (var writer = new DeltaFileWriter(path, 2, [Users], [bias]))
        {
            writer.Complete();
        }

        var delta = DeltaFile.Open(path, [Users]);

        Assert.Equal(0, delta.RecordCount);
        Assert.Equal(bias.Data, Assert.Single(delta.DenseUpdates).Data);
    }

    [Fact]
    public void TruncationAnywhereIsRefused()
    {
        var bytes = File.ReadAllBytes(WriteSample());
        foreach (var length in new[] { 0, 8, 63, 64, 70, 100, bytes.Length / 2, bytes.Length - 9, bytes.Length - 1 })
        {
            var e = Assert.Throws<DeltaFormatException>(() => DeltaFile.Parse(bytes[..length], "cut.delta", [Users, Items]));
            Assert.Contains("cut.delta", e.Message, StringComparison.Ordinal);
            Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void AFlippedBitAnywhereIsRefused()
    {
        var bytes = File.ReadAllBytes(WriteSample());
        for (var position = 0; position < bytes.Length; position++)
        {
            var corrupt = (byte[])bytes.Clone();
            corrupt[position] ^= 0x10;
            Assert.Throws<DeltaFormatException>(() => DeltaFile.Parse(corrupt, "flip.delta", [Users, Items]));
        }
    }

    [Fact]
    public void WrongMagicAndUnknownVersionAreRefused()
    {
        var bytes = File.ReadAllBytes(WriteSample());
        var magic = (byte[])bytes.Clone();
        magic[0] = (byte)'X';
        Assert.Contains("not a delta file", Assert.Throws<DeltaFormatException>(() => DeltaFile.Parse(Resealed(magic), "m.delta")).Message, StringComparison.Ordinal);

        var version = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(version.AsSpan(8), 2);
        Assert.Contains("format version 2", Assert.Throws<DeltaFormatException>(() => DeltaFile.Parse(Resealed(version), "v.delta")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DeclaredCountsThatDisagreeWithTheRecordsAreRefusedEvenWithAValidChecksum()
    {
        var bytes = File.ReadAllBytes(WriteSample());
        var records = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt64LittleEndian(records.AsSpan(32), 5);
        Assert.Contains("declares 5 records", Assert.Throws<DeltaFormatException>(() => DeltaFile.Parse(Resealed(records), "c.delta")).Message, StringComparison.Ordinal);

        // Swap the declared upsert and delete counts of "items" (1 and 1 → 2 and 0): same sizes cannot hide it.
        var perTable = (byte[])bytes.Clone();
        var itemsCounts = DeltaFormat.HeaderBytes + DeltaSchemaCodec.TableEntryBytes("users") + 2 + 5 + 8;
        BinaryPrimitives.WriteInt64LittleEndian(perTable.AsSpan(itemsCounts), 2);
        BinaryPrimitives.WriteInt64LittleEndian(perTable.AsSpan(itemsCounts + 8), 0);
        Assert.Throws<DeltaFormatException>(() => DeltaFile.Parse(Resealed(perTable), "t.delta"));
    }

    [Theory]
    [InlineData("users", 5, TensorDataType.Float32, "dim 4 fp32 in the delta, dim 5 fp32")]
    [InlineData("users", 4, TensorDataType.Float16, "dim 4 fp32 in the delta, dim 4 fp16")]
    [InlineData("people", 4, TensorDataType.Float32, "table 'users' is not a table of this model")]
    public void TablesThatDoNotMatchTheTargetsAreRefused(string name, int dim, TensorDataType dataType, string message)
    {
        var path = WriteSample();
        var e = Assert.Throws<DeltaFormatException>(() => DeltaFile.Open(path, [new DeltaTableSchema(name, dim, dataType), Items]));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NonFiniteRowValuesAreRefused()
    {
        var path = Path.Combine(_files.Root, "nan.delta");
        using (var writer = new DeltaFileWriter(path, 1, [Users]))
        {
            var row = new byte[Users.RowStride];
            BinaryPrimitives.WriteSingleLittleEndian(row.AsSpan(8), float.NaN);
            writer.UpsertEncoded(0, 1, row);
            writer.Complete();
        }
        Assert.Contains("not finite", Assert.Throws<DeltaFormatException>(() => DeltaFile.Open(path)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUncompletedWriterLeavesNoFile()
    {
        var path = Path.Combine(_files.Root, "abandoned.delta");
        using (var writer = new DeltaFileWriter(path, 1, [Users]))
        {
            writer.Upsert(0, 1, [1, 2, 3, 4]);
        }
        Assert.Empty(Directory.GetFiles(_files.Root));
    }

    /// <summary>Recomputes the trailer, so that only the edited field is wrong.</summary>
    private static byte[] Resealed(byte[] bytes)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(bytes.Length - 8), DeltaFile.ComputeChecksum(bytes));
        return bytes;
    }

    public void Dispose() => _files.Dispose();
}
