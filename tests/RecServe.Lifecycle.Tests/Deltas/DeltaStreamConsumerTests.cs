using Microsoft.Extensions.Logging.Abstractions;
using RecServe.Core.Tensors;
using RecServe.Embeddings.Deltas;
using RecServe.Embeddings.Deltas.Streaming;
using RecServe.Embeddings.Tables;
using RecServe.Lifecycle.Config;
using RecServe.Lifecycle.Deltas;
using RecServe.Lifecycle.Tests.Fakes;
using RecServe.Runtime.Onnx;
using RecServe.Runtime.Tests;
using RecServe.Runtime.Tests.Bundles;

namespace RecServe.Lifecycle.Tests.Deltas;

/// <summary>
/// The manager's delta stream consumers on a real bundle and overlay, with the stream in memory (the Redis reader has
/// tests of its own, and the server's integration tests run both against a real redis-server).
/// </summary>
public sealed class DeltaStreamConsumerTests : IDisposable
{
    private const string Model = "m";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly TestBundle _bundle = new(Path.Combine(FixtureModels.Root, "tests", "fixtures", "bundle_dense", "dense.onnx"));
    private readonly TempDirectory _temp = new();
    private readonly MemoryStreamLog _log = new();

    private ModelManager Manager() => new(new ModelFolderLoader(new OnnxModelOptions(), stateDirectory: Path.Combine(_temp.Path, "state")),
        NullLogger<ModelManager>.Instance, deltaStreams: _ => new MemoryDeltaStream(_log));

    private string DeltaPath(long seq) => Path.Combine(_temp.Path, "published", DeltaFormat.FileName(seq));

    private byte[] WriteDelta(long seq)
    {
        using var ta = EmbeddingTable.Open(_bundle.TablePath("ta"));
        using (var writer = new DeltaFileWriter(DeltaPath(seq), seq, [DeltaTableSchema.Of(ta)]))
        {
            writer.Upsert(0, TestBundle.IdA(0), Enumerable.Repeat((float)seq, ta.Dim).ToArray());
            writer.Complete();
        }
        return File.ReadAllBytes(DeltaPath(seq));
    }

    private void Publish(long seq, long version = 0)
    {
        var bytes = WriteDelta(seq);
        var delta = DeltaFile.Parse(bytes, DeltaPath(seq));
        foreach (var part in DeltaStreamPart.Split(bytes, seq, delta.Checksum, DateTimeOffset.UtcNow, DeltaStreamPart.NewPublication(), 64, version))
        {
            _log.Append(part.Encode());
        }
    }

    private static async Task<DeltaStreamStatus> WaitForAsync(ModelManager manager, Func<DeltaStreamStatus, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (DateTime.UtcNow < deadline)
        {
            if (manager.GetDeltaStreams() is [var status] && condition(status))
            {
                return status;
            }
            await Task.Delay(20);
        }
        throw new TimeoutException($"gave up waiting for {what}: {string.Join("; ", manager.GetDeltaStreams())}; versions: {string.Join("; ", manager.GetStatus(Model))}");
    }

    [Fact]
    public async Task ADeltaWaitingForItsSeqIsReadAgainAfterARestartAndAppliesOnceTheGapIsFilled()
    {
        var config = ModelConfig.Latest(Model, _bundle.BasePath);
        using (var manager = Manager())
        {
            await manager.ApplyConfigAsync([config]);
            Publish(2);
            var waiting = await WaitForAsync(manager, s => s.WaitingForSeq == 1, "seq 2 to wait for seq 1");
            Assert.Equal(0, waiting.LastAppliedSeq);
            Assert.True(waiting.LagSeconds >= 0);
        }

        // Seq 1 arrives as a file while the server is down; memory did not survive, so seq 2 must come from the stream again.
        Directory.CreateDirectory(Path.Combine(_bundle.VersionPath, "deltas"));
        WriteDelta(1);
        File.Copy(DeltaPath(1), Path.Combine(_bundle.VersionPath, "deltas", DeltaFormat.FileName(1)));
        using (var manager = Manager())
        {
            await manager.ApplyConfigAsync([config]);
            var applied = await WaitForAsync(manager, s => s.LastAppliedSeq == 2, "seq 2 to apply after the restart");
            Assert.Equal(1, applied.DeltasApplied);
            Assert.Equal(0, applied.WaitingForSeq);
            Assert.Null(applied.Error);
        }
    }

    [Fact]
    public async Task ADeltaPublishedForAnotherVersionIsLeftToThatVersion()
    {
        using var manager = Manager();
        await manager.ApplyConfigAsync([ModelConfig.Latest(Model, _bundle.BasePath)]);
        Publish(1, version: 7);
        var other = await WaitForAsync(manager, s => s.OtherVersions == 1, "the version 7 delta to be read");
        Assert.Equal(0, other.LastAppliedSeq);
        Assert.Equal(0, other.DeltasSkipped);
        Assert.Null(other.Error);

        Publish(1, version: 1);
        var applied = await WaitForAsync(manager, s => s.LastAppliedSeq == 1, "the version 1 delta to apply");
        Assert.Equal(1, applied.DeltasApplied);
    }

    [Fact]
    public async Task AnUnreachableStreamShowsInStatusAndRetiringTheVersionStopsItsConsumer()
    {
        using var manager = Manager();
        await manager.ApplyConfigAsync([ModelConfig.Latest(Model, _bundle.BasePath)]);
        await WaitForAsync(manager, s => s.State == DeltaStreamState.Reading, "the consumer to read");

        _log.Down = true;
        var down = await WaitForAsync(manager, s => s.State == DeltaStreamState.Unreachable, "the consumer to see the stream down");
        Assert.Contains("unreachable", down.Error, StringComparison.Ordinal);
        Assert.Contains("unreachable", manager.GetStatus(Model)[0].Error, StringComparison.Ordinal);
        await WaitForAsync(manager, s => s.LagSeconds > down.LagSeconds + 0.5, "the lag to grow while the stream is down");

        _log.Down = false;
        Publish(1);
        var back = await WaitForAsync(manager, s => s.LastAppliedSeq == 1, "seq 1 to apply once the stream is back");
        Assert.Null(back.Error);
        Assert.Null(manager.GetStatus(Model)[0].Error);

        await manager.ApplyConfigAsync([]);
        var deadline = DateTime.UtcNow + Deadline;
        while (Volatile.Read(ref _log.Disposed) < 1 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        Assert.Equal(1, Volatile.Read(ref _log.Disposed));
        Assert.Empty(manager.GetDeltaStreams());
    }

    public void Dispose()
    {
        _bundle.Dispose();
        _temp.Dispose();
    }
}
