using System.Runtime.Intrinsics;
using RecServe.Embeddings.Kernels;

namespace RecServe.Embeddings.Tests.Kernels;

public sealed class HalfConversionTests
{
    [Fact]
    public void EveryHalfConvertsExactlyWithVector256()
    {
        for (var start = 0; start < 65536; start += 8)
        {
            var halves = Vector256.Create((uint)start, (uint)start + 1, (uint)start + 2, (uint)start + 3,
                (uint)start + 4, (uint)start + 5, (uint)start + 6, (uint)start + 7);
            var floats = HalfConversion.ToSingle(halves);
            for (var i = 0; i < 8; i++)
            {
                AssertSame((ushort)(start + i), floats[i]);
            }
        }
    }

    [Fact]
    public void EveryHalfConvertsExactlyWithVector512()
    {
        Span<uint> values = stackalloc uint[16];
        for (var start = 0; start < 65536; start += 16)
        {
            for (var i = 0; i < 16; i++)
            {
                values[i] = (uint)(start + i);
            }
            var floats = HalfConversion.ToSingle(Vector512.Create<uint>(values));
            for (var i = 0; i < 16; i++)
            {
                AssertSame((ushort)(start + i), floats[i]);
            }
        }
    }

    private static void AssertSame(ushort bits, float actual)
    {
        var expected = (float)BitConverter.UInt16BitsToHalf(bits);
        if (float.IsNaN(expected))
        {
            Assert.True(float.IsNaN(actual), $"0x{bits:X4}");
            return;
        }
        Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual), $"0x{bits:X4}: {actual} vs {expected}");
    }
}
