using System.Buffers;
using System.Collections.Concurrent;

namespace RecServe.Server.Hosting;

/// <summary>
/// A memory pool for Kestrel's connections whose blocks are larger than Kestrel's own 4 KiB ones. The socket
/// transport receives into one block per read, so with 4 KiB blocks a 45 KB gRPC request took eleven
/// <c>recv</c> calls (each preceded by a one-byte peek for the next), eleven wake-ups of the HTTP/2 frame reader,
/// and arrived in eleven pieces that the protobuf parser had to stitch together. With 64 KiB blocks it is read in one
/// call and parsed from one span. Blocks are pinned (the socket reads into them) and kept for reuse up to a bound;
/// idle connections hold none, because the transport waits for data before it rents one.
/// </summary>
public sealed class LargeBlockMemoryPool : MemoryPool<byte>
{
    private readonly ConcurrentQueue<Block> _free = new();
    private readonly int _maxRetainedBlocks;
    private int _retained;

    /// <summary>A pool of <paramref name="blockSize"/>-byte blocks that keeps at most <paramref name="maxRetainedBlocks"/> unused ones.</summary>
    public LargeBlockMemoryPool(int blockSize, int maxRetainedBlocks)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 4096);
        ArgumentOutOfRangeException.ThrowIfNegative(maxRetainedBlocks);
        BlockSize = blockSize;
        _maxRetainedBlocks = maxRetainedBlocks;
    }

    /// <summary>Bytes in every block.</summary>
    public int BlockSize { get; }

    /// <inheritdoc />
    public override int MaxBufferSize => BlockSize;

    /// <summary>Unused blocks kept for reuse now.</summary>
    public int RetainedBlocks => Volatile.Read(ref _retained);

    /// <inheritdoc />
    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        if (minBufferSize > BlockSize)
        {
            throw new ArgumentOutOfRangeException(nameof(minBufferSize), minBufferSize, $"at most {BlockSize} bytes");
        }
        if (_free.TryDequeue(out var block))
        {
            Interlocked.Decrement(ref _retained);
            block.Rented = true;
            return block;
        }
        return new Block(this, GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true));
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        while (_free.TryDequeue(out _))
        {
            Interlocked.Decrement(ref _retained);
        }
    }

    private void Return(Block block)
    {
        // Past the bound the block is left to the collector, so a burst of connections does not pin memory forever.
        if (Interlocked.Increment(ref _retained) <= _maxRetainedBlocks)
        {
            _free.Enqueue(block);
        }
        else
        {
            Interlocked.Decrement(ref _retained);
        }
    }

    /// <summary>One block; disposing it gives it back to its pool.</summary>
    private sealed class Block(LargeBlockMemoryPool pool, byte[] array) : IMemoryOwner<byte>
    {
        internal bool Rented = true;

        public Memory<byte> Memory => Rented ? array : throw new ObjectDisposedException(nameof(Block));

        public void Dispose()
        {
            if (!Rented)
            {
                return; // a second Dispose must not put the block in the queue twice
            }
            Rented = false;
            pool.Return(this);
        }
    }
}
