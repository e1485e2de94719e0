using RecServe.Embeddings.Cache;

namespace RecServe.Embeddings.Tests.Cache;

public sealed class HotRowCacheTests
{
    [Fact]
    public void CapacityFollowsTheByteBudget()
    {
        var cache = new HotRowCache(16, 1 << 20);
        Assert.Equal(16 * 4 + 8 + 4 + 16, cache.EntryBytes);
        Assert.True((long)cache.Capacity * cache.EntryBytes <= 1 << 20);
        Assert.True((long)(cache.Capacity + HotRowCache.Ways) * cache.EntryBytes > 1 << 20);
        Assert.Equal(0, cache.Capacity % HotRowCache.Ways);
    }

    [Fact]
    public void AdmittedRowIsReturned()
    {
        var cache = new HotRowCache(3, 1 << 16);
        var row = new float[3];
        Assert.False(cache.TryGet(42, row));
        Assert.True(cache.TryAdmit(42, [1, 2, 3]));
        Assert.True(cache.TryGet(42, row));
        Assert.Equal([1f, 2, 3], row);
        Assert.Equal(1, cache.Count);
        Assert.Equal(cache.EntryBytes, cache.ResidentBytes);
        Assert.True(cache.TryAdmit(42, [1, 2, 3]));
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void ZeroBudgetCachesNothing()
    {
        var cache = new HotRowCache(4, 10);
        Assert.Equal(0, cache.Capacity);
        Assert.False(cache.TryAdmit(1, new float[4]));
        Assert.False(cache.TryGet(1, new float[4]));
    }

    [Fact]
    public void OneOffIdsDoNotEvictHotOnes()
    {
        var cache = new HotRowCache(4, 64 * 1024);
        var hot = Enumerable.Range(1, cache.Capacity / 4).Select(i => (long)i * 7919).ToArray();
        var row = new float[4];
        for (var round = 0; round < 5; round++)
        {
            foreach (var id in hot)
            {
                if (!cache.TryGet(id, row))
                {
                    cache.TryAdmit(id, [id, 0, 0, 0]);
                }
            }
        }
        // A scan of one-off ids, far more than the cache holds, while the hot ids keep being read.
        var next = 0;
        for (long id = 10_000_000; id < 10_000_000 + 20L * cache.Capacity; id++)
        {
            foreach (var candidate in (ReadOnlySpan<long>)[id, hot[next++ % hot.Length]])
            {
                if (!cache.TryGet(candidate, row))
                {
                    cache.TryAdmit(candidate, [candidate, 0, 0, 0]);
                }
            }
        }
        var survivors = hot.Count(id => cache.TryGet(id, row) && row[0] == id);
        Assert.True(survivors >= hot.Length * 0.95, $"{survivors} of {hot.Length} hot ids survived the scan");
    }

    [Fact]
    public void NewlyPopularIdsGetIn()
    {
        var cache = new HotRowCache(4, 16 * 1024);
        var row = new float[4];
        for (long id = 1; id <= 10L * cache.Capacity; id++)
        {
            if (!cache.TryGet(id, row))
            {
                cache.TryAdmit(id, [id, 0, 0, 0]);
            }
        }
        var popular = Enumerable.Range(0, cache.Capacity / 8).Select(i => 1_000_000L + i).ToArray();
        for (var round = 0; round < 6; round++)
        {
            foreach (var id in popular)
            {
                if (!cache.TryGet(id, row))
                {
                    cache.TryAdmit(id, [id, 0, 0, 0]);
                }
            }
        }
        var cached = popular.Count(id => cache.TryGet(id, row));
        Assert.True(cached >= popular.Length * 0.9, $"{cached} of {popular.Length}");
    }

    [Fact]
    public void ConcurrentReadersAlwaysSeeWholeRowsDuringChurn()
    {
        const int Dim = 32;
        // A small cache and many more ids than it holds, so entries are replaced all the time.
        var cache = new HotRowCache(Dim, 64 * 1024);
        var stop = DateTime.UtcNow.AddSeconds(2);
        var failures = 0;
        long hits = 0;
        var threads = Enumerable.Range(0, 8).Select(t => new Thread(() =>
        {
            var random = new Random(t);
            var row = new float[Dim];
            var fresh = new float[Dim];
            while (DateTime.UtcNow < stop)
            {
                long id = random.Next(1, 20 * cache.Capacity);
                if (cache.TryGet(id, row))
                {
                    Interlocked.Increment(ref hits);
                    for (var d = 0; d < Dim; d++)
                    {
                        if (row[d] != id * 1000 + d)
                        {
                            Interlocked.Increment(ref failures);
                            break;
                        }
                    }
                }
                else
                {
                    for (var d = 0; d < Dim; d++)
                    {
                        fresh[d] = id * 1000 + d;
                    }
                    cache.TryAdmit(id, fresh);
                }
            }
        })).ToArray();
        foreach (var thread in threads)
        {
            thread.Start();
        }
        foreach (var thread in threads)
        {
            thread.Join();
        }
        Assert.Equal(0, failures);
        Assert.True(hits > 0);
    }
}
