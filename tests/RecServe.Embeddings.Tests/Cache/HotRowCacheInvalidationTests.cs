using RecServe.Embeddings.Cache;

namespace RecServe.Embeddings.Tests.Cache;

public sealed class HotRowCacheInvalidationTests
{
    [Fact]
    public void AnInvalidatedRowIsGoneAndItsSlotIsReused()
    {
        var cache = new HotRowCache(2, 1 << 16);
        Assert.True(cache.TryAdmit(7, [1f, 2f]));
        Assert.True(cache.TryAdmit(8, [3f, 4f]));

        Assert.True(cache.Invalidate(7));
        Assert.False(cache.Invalidate(7));
        Assert.Equal(1, cache.Count);
        var row = new float[2];
        Assert.False(cache.TryGet(7, row));
        Assert.True(cache.TryGet(8, row));

        Assert.True(cache.TryAdmit(7, [5f, 6f]));
        Assert.True(cache.TryGet(7, row));
        Assert.Equal([5f, 6f], row);
        Assert.Equal(2, cache.Count);
        Assert.Equal(2, cache.Invalidate([7L, 8L, 9L]));
        Assert.Equal(0, cache.Count);
    }
}
