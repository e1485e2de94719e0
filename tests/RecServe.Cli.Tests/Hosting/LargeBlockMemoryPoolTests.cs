using System.Runtime.InteropServices;
using RecServe.Server.Hosting;

namespace RecServe.Cli.Tests.Hosting;

public sealed class LargeBlockMemoryPoolTests
{
    [Fact]
    public void ABlockHasTheBlockSizeWhateverSmallerSizeIsAskedFor()
    {
        using var pool = new LargeBlockMemoryPool(64 * 1024, maxRetainedBlocks: 4);
        using var small = pool.Rent(100);
        using var unspecified = pool.Rent();

        Assert.Equal(64 * 1024, small.Memory.Length);
        Assert.Equal(64 * 1024, unspecified.Memory.Length);
        Assert.Equal(64 * 1024, pool.MaxBufferSize);
    }

    [Fact]
    public void MoreThanABlockIsRefused()
    {
        using var pool = new LargeBlockMemoryPool(8192, maxRetainedBlocks: 4);
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(8193));
    }

    [Fact]
    public void AReturnedBlockIsRentedAgainAndIsPinned()
    {
        using var pool = new LargeBlockMemoryPool(8192, maxRetainedBlocks: 4);
        var first = pool.Rent();
        Assert.True(MemoryMarshal.TryGetArray<byte>(first.Memory, out var firstArray));
        first.Dispose();
        first.Dispose(); // a second dispose must not queue the block twice

        Assert.Equal(1, pool.RetainedBlocks);
        using var again = pool.Rent();
        using var other = pool.Rent();
        Assert.True(MemoryMarshal.TryGetArray<byte>(again.Memory, out var againArray));
        Assert.Same(firstArray.Array, againArray.Array);
        Assert.True(MemoryMarshal.TryGetArray<byte>(other.Memory, out var otherArray));
        Assert.NotSame(firstArray.Array, otherArray.Array);
        Assert.Equal(0, pool.RetainedBlocks);
        // Pinned blocks live on the pinned object heap, where the collector never moves them.
        Assert.Equal(GC.MaxGeneration, GC.GetGeneration(againArray.Array!));
    }

    [Fact]
    public void UnusedBlocksAreKeptOnlyUpToTheBound()
    {
        using var pool = new LargeBlockMemoryPool(4096, maxRetainedBlocks: 2);
        var blocks = Enumerable.Range(0, 5).Select(_ => pool.Rent()).ToList();
        blocks.ForEach(block => block.Dispose());

        Assert.Equal(2, pool.RetainedBlocks);
    }

    [Fact]
    public void ADisposedBlockCannotBeUsed()
    {
        using var pool = new LargeBlockMemoryPool(4096, maxRetainedBlocks: 2);
        var block = pool.Rent();
        block.Dispose();
        Assert.Throws<ObjectDisposedException>(() => block.Memory);
    }
}
