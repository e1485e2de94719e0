using System.Buffers;

namespace RecServe.Core.Tensors;

/// <summary>
/// Element bytes of a large tensor in native memory. A request can declare a tensor of tens of megabytes in a few
/// bytes (TensorFlow's repeat-last rule); as a GC array that is large-object-heap garbage the collector reclaims
/// only at its next full collection, so a burst of such requests left the server hundreds of megabytes larger for a
/// while. Native memory goes back to the operating system the moment the tensor is disposed.
/// </summary>
internal sealed unsafe class NativeTensorMemory : MemoryManager<byte>
{
    private static long s_bytesInUse;

    private byte* _pointer;
    private readonly int _length;

    /// <summary>Bytes allocated and not yet freed, process-wide; 0 when no large tensor is alive.</summary>
    public static long BytesInUse => Interlocked.Read(ref s_bytesInUse);

    /// <summary>Allocates <paramref name="length"/> zero-filled bytes (fresh pages from the kernel cost no clearing).</summary>
    public NativeTensorMemory(int length)
    {
        _pointer = PageAllocator.AllocateZeroed((nuint)length);
        _length = length;
        // The collector cannot see native memory; telling it keeps its pacing honest under a burst of large tensors.
        GC.AddMemoryPressure(length);
        Interlocked.Add(ref s_bytesInUse, length);
    }

    public override Span<byte> GetSpan()
    {
        var pointer = _pointer;
        ObjectDisposedException.ThrowIf(pointer == null, this);
        return new Span<byte>(pointer, _length);
    }

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        var pointer = _pointer;
        ObjectDisposedException.ThrowIf(pointer == null, this);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)elementIndex, (uint)_length, nameof(elementIndex));
        // Native memory never moves, so there is nothing to pin.
        return new MemoryHandle(pointer + elementIndex);
    }

    public override void Unpin()
    {
    }

    /// <summary>Frees the bytes; later use throws <see cref="ObjectDisposedException"/>.</summary>
    protected override void Dispose(bool disposing)
    {
        var pointer = _pointer;
        _pointer = null;
        if (pointer != null)
        {
            PageAllocator.Free(pointer, (nuint)_length);
            GC.RemoveMemoryPressure(_length);
            Interlocked.Add(ref s_bytesInUse, -_length);
        }
    }
}
