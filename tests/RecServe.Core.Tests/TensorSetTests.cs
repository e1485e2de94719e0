using RecServe.Core.Tensors;

namespace RecServe.Core.Tests;

public sealed class TensorSetTests
{
    private sealed class CountingOwner : ITensorSetOwner
    {
        public int Returns { get; private set; }

        public void Return(TensorSet set) => Returns++;
    }

    [Fact]
    public void AnOwnedSetReturnsOncePerLoanAndKeepsItsTensors()
    {
        var owner = new CountingOwner();
        var buffer = new byte[16];
        var tensor = Tensor.OverBuffer(TensorDataType.Float32, [2, 2], buffer);
        var set = new TensorSet(1, owner);
        set.Add("y", tensor);

        set.Lend();
        set.Dispose();
        set.Dispose();
        Assert.Equal(1, owner.Returns);
        set.Lend();
        set.Dispose();

        Assert.Equal(2, owner.Returns);
        tensor.AsSpan<float>()[3] = 1.5f;
        Assert.Equal(1.5f, BitConverter.ToSingle(buffer, 12));
        Assert.Same(tensor, Assert.Single(set.Items).Tensor);
    }

    [Fact]
    public void ASetIsLentOnceAtATimeAndOnlyWithAnOwner()
    {
        var set = new TensorSet(1, new CountingOwner());
        set.Lend();

        Assert.Throws<InvalidOperationException>(set.Lend);
        Assert.Throws<InvalidOperationException>(() => new TensorSet().Lend());
    }

    [Fact]
    public void ATensorOverABufferNeedsRoomForItsShape()
    {
        Assert.Throws<ArgumentException>(() => Tensor.OverBuffer(TensorDataType.Float32, [2, 3], new byte[20]));
        Assert.Throws<ArgumentException>(() => Tensor.OverBuffer(TensorDataType.String, [1], new byte[8]));
    }
}
