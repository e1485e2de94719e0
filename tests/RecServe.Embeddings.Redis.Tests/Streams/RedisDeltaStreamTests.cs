using System.Diagnostics;
using RecServe.Core.Tensors;
using RecServe.Embeddings.Deltas;
using RecServe.Embeddings.Deltas.Streaming;
using RecServe.Embeddings.Redis.Streams;

namespace RecServe.Embeddings.Redis.Tests.Streams;

/// <summary>A delta published to a stream on the real cluster reads back, with XREAD BLOCK, as the same file.</summary>
[Collection(RedisClusterCollection.Name)]
public sealed class RedisDeltaStreamTests(RedisClusterFixture cluster) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("recserve-stream-").FullName;

    private (byte[] Bytes, DeltaFile Delta) Delta(long seq, int rows)
    {
        var path = Path.Combine(_root, DeltaFormat.FileName(seq));
        using (var writer = new DeltaFileWriter(path, seq, [new DeltaTableSchema("t", 8, TensorDataType.Float32)]))
        {
            for (var i = 0; i < rows; i++)
            {
                writer.Upsert(0, i, Enumerable.Repeat(seq + i / 100f, 8).ToArray());
            }
            writer.Complete();
        }
        var bytes = File.ReadAllBytes(path);
        return (bytes, DeltaFile.Parse(bytes, path));
    }

    [Fact]
    public async Task APublishedDeltaReadsBackAsTheSameFileAndABlockedReadWakesOnPublish()
    {
        var key = $"recserve:deltas:test-{Guid.NewGuid():N}";
        await using var connection = await RedisConnector.ConnectAsync(RedisClusterSettings.FromEndpointList(cluster.Endpoints) with { Timeout = TimeSpan.FromSeconds(5) });
        var (bytes, delta) = Delta(1, 100);
        var ids = await RedisDeltaPublisher.PublishAsync(connection.GetDatabase(), key, delta, bytes, DateTimeOffset.UtcNow, partBytes: 1024);
        Assert.Equal((bytes.Length + 1023) / 1024, ids.Count);

        // Any node of the cluster will do as the endpoint: the client routes the stream's key to its slot.
        await using var stream = new RedisDeltaStream(new RedisDeltaStreamSettings($"127.0.0.1:{cluster.Ports[^1]}"), key);
        var entries = await stream.ReadAsync(StreamEntryId.Zero, 100, TimeSpan.FromMilliseconds(100), CancellationToken.None);
        Assert.Equal(ids, entries.Select(e => e.Id.ToString()));
        var assembler = new DeltaStreamAssembler();
        var outcomes = new List<DeltaStreamOutcome>();
        foreach (var entry in entries)
        {
            assembler.Add(entry, outcomes);
        }
        Assert.Equal(bytes, Assert.Single(outcomes).File);

        var idle = Stopwatch.StartNew();
        Assert.Empty(await stream.ReadAsync(entries[^1].Id, 16, TimeSpan.FromMilliseconds(300), CancellationToken.None));
        Assert.True(idle.Elapsed >= TimeSpan.FromMilliseconds(250), $"an empty read returned after {idle.ElapsedMilliseconds} ms, not after blocking");

        var blocked = Stopwatch.StartNew();
        var read = stream.ReadAsync(entries[^1].Id, 16, TimeSpan.FromSeconds(20), CancellationToken.None);
        var (bytes2, delta2) = Delta(2, 3);
        await RedisDeltaPublisher.PublishAsync(connection.GetDatabase(), key, delta2, bytes2, DateTimeOffset.UtcNow);
        var woke = await read;
        Assert.Single(woke);
        Assert.True(blocked.Elapsed < TimeSpan.FromSeconds(10), $"the blocked read took {blocked.ElapsedMilliseconds} ms to see the publish");
    }

    [Fact]
    public async Task AnUnreachableRedisIsAnIOException()
    {
        await using var stream = new RedisDeltaStream(new RedisDeltaStreamSettings("127.0.0.1:1"), "recserve:deltas:none");
        await Assert.ThrowsAsync<IOException>(() => stream.ReadAsync(StreamEntryId.Zero, 1, TimeSpan.FromMilliseconds(100), CancellationToken.None));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
