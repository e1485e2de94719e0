using System.Buffers;
using System.Runtime.InteropServices;

namespace RecServe.Core.Tensors;

/// <summary>
/// Element bytes of a large tensor in native memory. A request can declare a tensor of tens of megabytes in a few
/// bytes (TensorFlow's repeat-last rule); as a GC array that is large-object-heap garbage the collector reclaims
/// only at its next full collection, so a burst of such requests left the server hundreds of megabytes larger for a
/// while. Native memory goes back to the operating system the moment the tensor is disposed. A tensor dropped without
/// Dispose (the inputs of a cancelled request, which a queued batch may still read) is freed by the block's
/// finalizer once nothing references it, as a GC array would be.
/// </summary>
internal sealed unsafe class NativeTensorMemory : MemoryManager<byte>
{
    private static long s_bytesInUse;

    private readonly PageBlock _block;
    private readonly int _length;

    /// <summary>Allocates <paramref name="length"/> zero-filled bytes (fresh pages from the kernel cost no clearing).</summary>
    public NativeTensorMemory(int length)
    {
        _block = new PageBlock(length);
        _length = length;
    }

    /// <summary>Bytes allocated and not yet freed, process-wide; 0 when no large tensor is alive.</summary>
    public static long BytesInUse => Interlocked.Read(ref s_bytesInUse);

    public override Span<byte> GetSpan() => new(Pointer, _length);

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)elementIndex, (uint)_length, nameof(elementIndex));
        // Native memory never moves, so there is nothing to pin.
        return new MemoryHandle(Pointer + elementIndex);
    }

    public override void Unpin()
    {
    }

    private byte* Pointer
    {
        get
        {
            ObjectDisposedException.ThrowIf(_block.IsClosed, this);
            return (byte*)_block.DangerousGetHandle();
        }
    }

    /// <summary>Frees the bytes; later use throws <see cref="ObjectDisposedException"/>.</summary>
    protected override void Dispose(bool disposing) => _block.Dispose();

    /// <summary>The pages themselves, released exactly once, by Dispose or else by the finalizer.</summary>
    private sealed class PageBlock : SafeHandle
    {
        private readonly int _length;

        public PageBlock(int length)
            : base(IntPtr.Zero, ownsHandle: true)
        {
            SetHandle((IntPtr)PageAllocator.AllocateZeroed((nuint)length));
            _length = length;
            // The collector cannot see native memory; telling it keeps its pacing honest under a burst of large tensors.
            GC.AddMemoryPressure(length);
            Interlocked.Add(ref s_bytesInUse, length);
        }

        public override bool IsInvalid => handle == IntPtr.Zero;

        protected override bool ReleaseHandle()
        {
            PageAllocator.Free((byte*)handle, (nuint)_length);
            GC.RemoveMemoryPressure(_length);
            Interlocked.Add(ref s_bytesInUse, -_length);
            return true;
        }
    }
}
