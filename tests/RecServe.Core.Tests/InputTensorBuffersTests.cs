using RecServe.Core.Tensors;

namespace RecServe.Core.Tests;

public sealed class InputTensorBuffersTests
{
    [Fact]
    public void ASameShapedInputReusesItsTensorAndAnotherShapeReplacesIt()
    {
        using var buffers = new InputTensorBuffers();
        var first = buffers.Take("x", TensorDataType.Float32, [2, 3], clear: true);
        first.AsSpan<float>()[5] = 7f;
        buffers.Clear();

        var again = buffers.Take("x", TensorDataType.Float32, [2, 3], clear: false);
        buffers.Clear();
        var cleared = buffers.Take("x", TensorDataType.Float32, [2, 3], clear: true);
        var value = cleared.AsSpan<float>()[5];
        buffers.Clear();
        var other = buffers.Take("x", TensorDataType.Float32, [3, 2], clear: true);

        Assert.Same(first, again);
        Assert.Same(first, cleared);
        Assert.Equal(0f, value);
        Assert.NotSame(first, other);
        // The slot let go of the tensor it replaced.
        Assert.Throws<ObjectDisposedException>(() => first.Bytes.Length);
        Assert.Equal([3L, 2L], other.Shape);
    }

    [Fact]
    public void WhatIsKeptBetweenRequestsIsBounded()
    {
        using var buffers = new InputTensorBuffers();
        // 40 inputs of 256 KiB: 10 MiB, over the 8 MiB kept between requests.
        for (var i = 0; i < 40; i++)
        {
            buffers.Take($"input{i}", TensorDataType.Float32, [64 * 1024], clear: false);
        }
        Assert.Equal(40L * 256 * 1024, buffers.KeptBytes);

        buffers.Clear();

        Assert.Equal(0, buffers.KeptBytes);
        Assert.Equal(0, buffers.Count);
    }

    [Fact]
    public void ATensorOverAMebibyteIsNotKept()
    {
        using var buffers = new InputTensorBuffers();
        buffers.Take("big", TensorDataType.Float32, [300_000], clear: false);
        buffers.Take("small", TensorDataType.Float32, [10], clear: false);

        buffers.Clear();

        Assert.Equal(40, buffers.KeptBytes);
    }

    [Fact]
    public void AStringTensorAddedByTheCallerIsDisposedOnClear()
    {
        using var buffers = new InputTensorBuffers();
        var strings = Tensor.FromStrings([1], [[1, 2]]);
        buffers.AddOwned("s", strings);

        Assert.Same(strings, buffers.Inputs["s"]);
        buffers.Clear();

        Assert.False(buffers.Contains("s"));
    }
}
