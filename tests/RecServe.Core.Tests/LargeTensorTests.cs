using System.Buffers;
using RecServe.Core.Tensors;

namespace RecServe.Core.Tests;

/// <summary>Tensors above the pooled size live in native memory: zero-filled, usable as memory and spans, freed on dispose.</summary>
public sealed class LargeTensorTests
{
    // One element over the pooled limit, so the tensor takes the native path.
    private const int LargeFloats = (1 << 18) + 1;

    [Fact]
    public void ALargeTensorStartsZeroAndKeepsWhatIsWritten()
    {
        using var tensor = Tensor.Allocate(TensorDataType.Float32, [LargeFloats]);
        var values = tensor.AsSpan<float>();
        Assert.Equal(LargeFloats, values.Length);
        Assert.True(values.IndexOfAnyExcept(0f) < 0, "a new tensor was not zero-filled");

        values[^1] = 42.5f;
        values[0] = -1f;
        Assert.Equal(42.5f, tensor.AsSpan<float>()[^1]);
        Assert.Equal(-1f, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(tensor.Memory.Span)[0]);
    }

    [Fact]
    public unsafe void PinningALargeTensorGivesTheAddressOfItsBytes()
    {
        using var tensor = Tensor.FromValues<long>(TensorDataType.Int64, [LargeFloats], Enumerable.Range(0, LargeFloats).Select(i => (long)i).ToArray());
        using MemoryHandle pin = tensor.Memory.Pin();
        Assert.Equal(LargeFloats - 1, ((long*)pin.Pointer)[LargeFloats - 1]);
    }

    [Fact]
    public void DisposingALargeTensorFreesItsBytesAndLaterUseThrows()
    {
        var before = Tensor.LargeTensorBytesInUse;
        var tensor = Tensor.Allocate(TensorDataType.Float32, [LargeFloats]);
        // Only this class makes large tensors in this project, and xunit runs one class's tests one at a time.
        Assert.Equal(before + LargeFloats * 4L, Tensor.LargeTensorBytesInUse);

        tensor.Dispose();
        tensor.Dispose(); // twice is harmless
        Assert.Equal(before, Tensor.LargeTensorBytesInUse);

        Assert.Throws<ObjectDisposedException>(() => tensor.Bytes.Length);
        Assert.Throws<ObjectDisposedException>(() => tensor.Memory.Length);
    }

    [Fact]
    public void ALargeTensorDroppedWithoutDisposeIsFreedOnceCollected()
    {
        var before = Tensor.LargeTensorBytesInUse;
        AllocateAndDrop();
        Assert.Equal(before + LargeFloats * 4L, Tensor.LargeTensorBytesInUse);

        GC.Collect();
        GC.WaitForPendingFinalizers();

        Assert.Equal(before, Tensor.LargeTensorBytesInUse);
    }

    // Not inlined, so no reference to the tensor survives in the caller's frame.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void AllocateAndDrop() => Tensor.Allocate(TensorDataType.Float32, [LargeFloats]).AsSpan<float>()[0] = 1;

    [Fact]
    public void ASmallTensorStaysInThePool()
    {
        var before = Tensor.LargeTensorBytesInUse;
        using var tensor = Tensor.Allocate(TensorDataType.Float32, [1 << 18]);
        Assert.Equal(1 << 20, tensor.Bytes.Length);
        // Exactly the pooled limit is not large.
        Assert.Equal(before, Tensor.LargeTensorBytesInUse);
    }
}
