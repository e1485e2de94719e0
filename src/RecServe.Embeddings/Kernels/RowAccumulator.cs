using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RecServe.Embeddings.Kernels;

/// <summary>
/// Adds a block of encoded rows into one output row. The output is walked in chunks of four vectors kept in
/// registers while every row of the block is added, so each output value is loaded and stored once per block
/// rather than once per row. Quantised rows add q × scale with FMA; their biases are summed once per block.
/// </summary>
internal static unsafe class RowAccumulator
{
    /// <summary>
    /// <paramref name="destination"/>[0..dim) = (overwrite ? 0 : destination) + Σ decoded rows. With no rows and
    /// overwrite the destination is zeroed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Accumulate<TDecoder>(byte** rows, int count, float* destination, int dim, bool overwrite, KernelIsa isa)
        where TDecoder : IRowDecoder
    {
        var bias = 0f;
        if (TDecoder.Quantized)
        {
            for (var r = 0; r < count; r++)
            {
                bias += ((float*)rows[r])[1];
            }
        }
        var c = 0;
        if (isa == KernelIsa.Vector512)
        {
            c = Accumulate512<TDecoder>(rows, count, destination, dim, overwrite, bias);
        }
        if (isa >= KernelIsa.Vector256)
        {
            c = Accumulate256<TDecoder>(rows, count, destination, dim, overwrite, bias, c);
        }
        for (; c < dim; c++)
        {
            var sum = overwrite ? bias : destination[c] + bias;
            for (var r = 0; r < count; r++)
            {
                var row = rows[r];
                sum = TDecoder.Quantized
                    ? MathF.FusedMultiplyAdd(TDecoder.Load(row, c), ((float*)row)[0], sum)
                    : sum + TDecoder.Load(row, c);
            }
            destination[c] = sum;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Accumulate512<TDecoder>(byte** rows, int count, float* destination, int dim, bool overwrite, float bias)
        where TDecoder : IRowDecoder
    {
        var width = Vector512<float>.Count;
        var start = Vector512.Create(bias);
        var c = 0;
        for (; c + 4 * width <= dim; c += 4 * width)
        {
            var d = destination + c;
            var a0 = overwrite ? start : Vector512.Load(d) + start;
            var a1 = overwrite ? start : Vector512.Load(d + width) + start;
            var a2 = overwrite ? start : Vector512.Load(d + 2 * width) + start;
            var a3 = overwrite ? start : Vector512.Load(d + 3 * width) + start;
            for (var r = 0; r < count; r++)
            {
                var row = rows[r];
                if (TDecoder.Quantized)
                {
                    var scale = Vector512.Create(((float*)row)[0]);
                    a0 = Vector512.FusedMultiplyAdd(TDecoder.Load512(row, c), scale, a0);
                    a1 = Vector512.FusedMultiplyAdd(TDecoder.Load512(row, c + width), scale, a1);
                    a2 = Vector512.FusedMultiplyAdd(TDecoder.Load512(row, c + 2 * width), scale, a2);
                    a3 = Vector512.FusedMultiplyAdd(TDecoder.Load512(row, c + 3 * width), scale, a3);
                }
                else
                {
                    a0 += TDecoder.Load512(row, c);
                    a1 += TDecoder.Load512(row, c + width);
                    a2 += TDecoder.Load512(row, c + 2 * width);
                    a3 += TDecoder.Load512(row, c + 3 * width);
                }
            }
            a0.Store(d);
            a1.Store(d + width);
            a2.Store(d + 2 * width);
            a3.Store(d + 3 * width);
        }
        for (; c + width <= dim; c += width)
        {
            var a = overwrite ? start : Vector512.Load(destination + c) + start;
            for (var r = 0; r < count; r++)
            {
                var row = rows[r];
                a = TDecoder.Quantized
                    ? Vector512.FusedMultiplyAdd(TDecoder.Load512(row, c), Vector512.Create(((float*)row)[0]), a)
                    : a + TDecoder.Load512(row, c);
            }
            a.Store(destination + c);
        }
        return c;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Accumulate256<TDecoder>(byte** rows, int count, float* destination, int dim, bool overwrite, float bias, int c)
        where TDecoder : IRowDecoder
    {
        var width = Vector256<float>.Count;
        var start = Vector256.Create(bias);
        for (; c + 4 * width <= dim; c += 4 * width)
        {
            var d = destination + c;
            var a0 = overwrite ? start : Vector256.Load(d) + start;
            var a1 = overwrite ? start : Vector256.Load(d + width) + start;
            var a2 = overwrite ? start : Vector256.Load(d + 2 * width) + start;
            var a3 = overwrite ? start : Vector256.Load(d + 3 * width) + start;
            for (var r = 0; r < count; r++)
            {
                var row = rows[r];
                if (TDecoder.Quantized)
                {
                    var scale = Vector256.Create(((float*)row)[0]);
                    a0 = Vector256.FusedMultiplyAdd(TDecoder.Load256(row, c), scale, a0);
                    a1 = Vector256.FusedMultiplyAdd(TDecoder.Load256(row, c + width), scale, a1);
                    a2 = Vector256.FusedMultiplyAdd(TDecoder.Load256(row, c + 2 * width), scale, a2);
                    a3 = Vector256.FusedMultiplyAdd(TDecoder.Load256(row, c + 3 * width), scale, a3);
                }
                else
                {
                    a0 += TDecoder.Load256(row, c);
                    a1 += TDecoder.Load256(row, c + width);
                    a2 += TDecoder.Load256(row, c + 2 * width);
                    a3 += TDecoder.Load256(row, c + 3 * width);
                }
            }
            a0.Store(d);
            a1.Store(d + width);
            a2.Store(d + 2 * width);
            a3.Store(d + 3 * width);
        }
        for (; c + width <= dim; c += width)
        {
            var a = overwrite ? start : Vector256.Load(destination + c) + start;
            for (var r = 0; r < count; r++)
            {
                var row = rows[r];
                a = TDecoder.Quantized
                    ? Vector256.FusedMultiplyAdd(TDecoder.Load256(row, c), Vector256.Create(((float*)row)[0]), a)
                    : a + TDecoder.Load256(row, c);
            }
            a.Store(destination + c);
        }
        return c;
    }

    /// <summary>destination[0..dim) *= factor.</summary>
    public static void Scale(float* destination, int dim, float factor, KernelIsa isa)
    {
        var c = 0;
        if (isa >= KernelIsa.Vector256)
        {
            for (; c + Vector256<float>.Count <= dim; c += Vector256<float>.Count)
            {
                (Vector256.Load(destination + c) * factor).Store(destination + c);
            }
        }
        for (; c < dim; c++)
        {
            destination[c] *= factor;
        }
    }
}
