using Microsoft.AspNetCore.Connections;
using System.Buffers;

namespace RecServe.Server.Hosting;

/// <summary>
/// Gives Kestrel's transports a <see cref="LargeBlockMemoryPool"/> instead of their 4 KiB-block pool
/// (<c>--socket_block_kib</c>): Kestrel asks the service container for this factory when it builds its pools.
/// </summary>
public sealed class LargeBlockMemoryPoolFactory(int blockSize, int maxRetainedBlocks) : IMemoryPoolFactory<byte>
{
    /// <inheritdoc />
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new LargeBlockMemoryPool(blockSize, maxRetainedBlocks);
}
