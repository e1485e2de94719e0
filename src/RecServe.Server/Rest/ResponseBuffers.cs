using System.Buffers;
using RecServe.Core.Lifetime;

namespace RecServe.Server.Rest;

/// <summary>
/// Buffers that REST answers (TF-Serving and KServe v2 predictions) are written into before they are sent, kept between
/// requests so that a steady stream of answers allocates none.
/// </summary>
internal static class ResponseBuffers
{
    // A rare huge answer should not stay resident in the pool.
    private const int MaxKeptBytes = 1 << 20;

    private static readonly ScratchPool<ArrayBufferWriter<byte>> Pool =
        new(ScratchPool<ArrayBufferWriter<byte>>.DefaultSlots, static _ => new ArrayBufferWriter<byte>(4096));

    /// <summary>An empty buffer; <see cref="Return"/> it once its bytes are sent.</summary>
    public static ArrayBufferWriter<byte> Rent() => Pool.Rent();

    /// <summary>Puts <paramref name="buffer"/> back, unless it grew past the size worth keeping.</summary>
    public static void Return(ArrayBufferWriter<byte> buffer)
    {
        if (buffer.Capacity <= MaxKeptBytes)
        {
            buffer.ResetWrittenCount();
            Pool.Return(buffer);
        }
    }
}
