using System.Buffers;

namespace RecServe.Core.Tensors;

/// <summary>
/// Where tensor bytes come from. Request-sized buffers are pooled, so the steady state allocates nothing; larger
/// ones are not pooled, because the shared pool keeps what it is given per core, and a few huge requests
/// (TensorFlow's repeat-last rule can ask for a big tensor in a few bytes) would otherwise stay resident for good.
/// <see cref="Tensor"/> puts those in native memory (<see cref="NativeTensorMemory"/>); callers that need a plain
/// array of any size (tests, tools) get a GC array here.
/// </summary>
internal static class TensorBuffers
{
    /// <summary>Largest buffer taken from and returned to the pool.</summary>
    public const int PooledMaxBytes = 1 << 20;

    public static byte[] Rent(int byteLength) =>
        byteLength <= PooledMaxBytes
            ? ArrayPool<byte>.Shared.Rent(Math.Max(byteLength, 1))
            : GC.AllocateUninitializedArray<byte>(byteLength);

    public static void Return(byte[] buffer)
    {
        // Rent rounds pooled sizes up to a power of two no larger than the cap, so the length tells the two apart.
        if (buffer.Length <= PooledMaxBytes)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
