using RecServe.Core.Tensors;
using RecServe.Embeddings.Deltas;
using RecServe.Embeddings.Deltas.Streaming;

namespace RecServe.Embeddings.Tests.Deltas.Streaming;

public sealed class DeltaStreamAssemblerTests : IDisposable
{
    private const int Dim = 8;
    private readonly string _root = Directory.CreateTempSubdirectory("recserve-assembler-").FullName;
    private readonly DeltaStreamAssembler _assembler = new();
    private readonly List<DeltaStreamOutcome> _outcomes = [];
    private ulong _nextId = 1;

    /// <summary>A real delta file of <paramref name="rows"/> upserts (about 43 bytes each).</summary>
    private (byte[] Bytes, DeltaFile Delta) Delta(long seq, int rows = 20, float offset = 0)
    {
        var path = Path.Combine(_root, $"{seq}-{Guid.NewGuid():N}.delta");
        using (var writer = new DeltaFileWriter(path, seq, [new DeltaTableSchema("t", Dim, TensorDataType.Float32)]))
        {
            for (var i = 0; i < rows; i++)
            {
                writer.Upsert(0, i, Enumerable.Repeat(seq + offset + i / 10f, Dim).ToArray());
            }
            writer.Complete();
        }
        var bytes = File.ReadAllBytes(path);
        return (bytes, DeltaFile.Parse(bytes, path));
    }

    private IReadOnlyList<DeltaStreamPart> Parts(long seq, int partBytes = 100, int rows = 20, float offset = 0)
    {
        var (bytes, delta) = Delta(seq, rows, offset);
        return DeltaStreamPart.Split(bytes, seq, delta.Checksum, DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000 + seq), DeltaStreamPart.NewPublication(), partBytes);
    }

    private DeltaStreamEntry Entry(IEnumerable<KeyValuePair<string, ReadOnlyMemory<byte>>> fields) =>
        new(new StreamEntryId(_nextId++, 0), fields.ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal));

    private void Feed(IEnumerable<DeltaStreamPart> parts)
    {
        foreach (var part in parts)
        {
            _assembler.Add(Entry(part.Encode()), _outcomes);
        }
    }

    [Fact]
    public void PartsMakeTheFileAgainByteForByte()
    {
        var (bytes, delta) = Delta(3);
        var parts = DeltaStreamPart.Split(bytes, 3, delta.Checksum, DateTimeOffset.UnixEpoch, "p", 100);
        Assert.Equal((bytes.Length + 99) / 100, parts.Count);
        Assert.All(parts, p => Assert.True(p.Data.Length <= 100));

        Feed(parts);

        var outcome = Assert.Single(_outcomes);
        Assert.Null(outcome.Refusal);
        Assert.Equal(bytes, outcome.File);
        Assert.Equal(3, outcome.Seq);
        Assert.Equal(new StreamEntryId(1, 0), outcome.FirstEntry);
        Assert.Equal(new StreamEntryId((ulong)parts.Count, 0), outcome.LastEntry);
        Assert.Null(_assembler.OpenSince);
    }

    [Fact]
    public void NothingComesOutUntilTheLastPartAndTheOpenSetIsReported()
    {
        var parts = Parts(1);
        Feed(parts.Take(parts.Count - 1));
        Assert.Empty(_outcomes);
        Assert.Equal(new StreamEntryId(1, 0), _assembler.OpenSince);
        Assert.Equal(parts[0].PublishedAt, _assembler.OpenPublishedAt);
        Feed(parts.Skip(parts.Count - 1));
        Assert.NotNull(Assert.Single(_outcomes).File);
    }

    [Fact]
    public void ACorruptPartRefusesItsWholePublicationOnceAndTheNextOneStillAssembles()
    {
        var parts = Parts(1);
        for (var k = 0; k < parts.Count; k++)
        {
            var fields = parts[k].Encode().ToList();
            if (k == 1)
            {
                var data = fields[^1].Value.ToArray();
                data[3] ^= 1;
                fields[^1] = new(DeltaStreamPart.Fields.Data, data);
            }
            _assembler.Add(Entry(fields), _outcomes);
        }
        Feed(Parts(1));

        Assert.Equal(2, _outcomes.Count);
        Assert.Null(_outcomes[0].File);
        Assert.Contains("corrupt", _outcomes[0].Refusal, StringComparison.Ordinal);
        Assert.Equal(1, _outcomes[0].Seq);
        Assert.NotNull(_outcomes[1].File);
    }

    [Fact]
    public void ASetInterruptedByAnotherPublicationIsRefusedAsTruncated()
    {
        var first = Parts(1);
        Feed(first.Take(2));
        Feed(Parts(2));

        Assert.Equal(2, _outcomes.Count);
        Assert.Contains("truncated", _outcomes[0].Refusal, StringComparison.Ordinal);
        Assert.Contains($"only 2 of its {first.Count} parts", _outcomes[0].Refusal, StringComparison.Ordinal);
        Assert.Equal(new StreamEntryId(2, 0), _outcomes[0].LastEntry);
        Assert.Equal(2, _outcomes[1].Seq);
        Assert.NotNull(_outcomes[1].File);
    }

    [Fact]
    public void ASetWhoseFirstPartsWereTrimmedIsRefusedOnce()
    {
        Feed(Parts(1).Skip(1));

        var outcome = Assert.Single(_outcomes);
        Assert.Contains("missing", outcome.Refusal, StringComparison.Ordinal);
        Assert.Null(_assembler.OpenSince);
    }

    [Fact]
    public void AnEntryThatIsNotADeltaPartIsRefusedAlone()
    {
        _assembler.Add(Entry([new("hello", "world"u8.ToArray())]), _outcomes);
        Feed(Parts(1));

        Assert.Equal(2, _outcomes.Count);
        Assert.Equal(0, _outcomes[0].Seq);
        Assert.Contains("not a delta part", _outcomes[0].Refusal, StringComparison.Ordinal);
        Assert.NotNull(_outcomes[1].File);
    }

    [Fact]
    public void PartsThatDisagreeAboutTheFileAreRefused()
    {
        var parts = Parts(1);
        var liar = parts[1] with { FileBytes = parts[1].FileBytes + 1 };
        Feed([parts[0], liar]);

        Assert.Contains("part 1 said", Assert.Single(_outcomes).Refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void PartsWhoseChecksumsHoldButMakeAnotherFileAreRefusedByTheFileChecksum()
    {
        var parts = Parts(1);
        var other = Parts(1, offset: 0.5f);
        // Same sizes, each part checksummed correctly, but part 2 comes from another delta of the same seq.
        Feed([parts[0], other[1] with { Publication = parts[0].Publication, FileChecksum = parts[0].FileChecksum }, .. parts.Skip(2)]);

        Assert.Contains("hashes to", Assert.Single(_outcomes).Refusal, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("5-3", 5UL, 3UL)]
    [InlineData("17", 17UL, 0UL)]
    public void StreamEntryIdsParseOrderAndStepBack(string text, ulong ms, ulong seq)
    {
        var id = StreamEntryId.Parse(text);
        Assert.Equal(new StreamEntryId(ms, seq), id);
        Assert.True(id.Previous() < id);
        Assert.Equal(new StreamEntryId(4, ulong.MaxValue), new StreamEntryId(5, 0).Previous());
        Assert.False(StreamEntryId.TryParse("5-x", out _));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
