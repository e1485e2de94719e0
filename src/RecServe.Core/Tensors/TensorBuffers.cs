using System.Buffers;

namespace RecServe.Core.Tensors;

/// <summary>
/// Where request-sized tensor bytes come from: the shared pool, so the steady state allocates nothing. Only buffers up
/// to <see cref="PooledMaxBytes"/> are pooled, because the shared pool keeps what it is given per core and a few huge
/// requests (TensorFlow's repeat-last rule can ask for a big tensor in a few bytes) would otherwise stay resident for
/// good; <see cref="Tensor"/> puts larger ones in native memory (<see cref="NativeTensorMemory"/>).
/// </summary>
internal static class TensorBuffers
{
    /// <summary>Largest buffer taken from and returned to the pool.</summary>
    public const int PooledMaxBytes = 1 << 20;

    /// <summary>A pooled buffer of at least <paramref name="byteLength"/> bytes, at most <see cref="PooledMaxBytes"/>.</summary>
    public static byte[] Rent(int byteLength)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(byteLength, PooledMaxBytes);
        return ArrayPool<byte>.Shared.Rent(Math.Max(byteLength, 1));
    }

    /// <summary>Returns a buffer <see cref="Rent"/> gave.</summary>
    public static void Return(byte[] buffer) => ArrayPool<byte>.Shared.Return(buffer);
}
