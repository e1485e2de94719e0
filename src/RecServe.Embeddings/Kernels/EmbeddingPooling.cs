using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using RecServe.Core.Tensors;
using RecServe.Embeddings.Tables;

namespace RecServe.Embeddings.Kernels;

/// <summary>
/// Lookup and pooling of a whole batch of id bags in one call, decoding fp32, fp16 and int8 rows on the fly with
/// the widest vectors the CPU has (AVX-512, then AVX2, then scalar). Negative ids are padding and are skipped;
/// unknown ids get the table's default row and are counted. Writes into the caller's buffer; allocates nothing.
/// </summary>
public static unsafe class EmbeddingPooling
{
    // Ids resolved ahead of accumulation: their buckets and rows are prefetched together, so up to this many
    // cache misses are in flight at once instead of one after another.
    private const int BlockSize = 16;

    /// <summary>
    /// Pools <paramref name="ids"/> laid out as [batch, <paramref name="bagSize"/>], padded with negative ids.
    /// Output is [batch, dim] for <see cref="PoolingMode.Sum"/> and <see cref="PoolingMode.Mean"/>, and
    /// [batch, bagSize, dim] for <see cref="PoolingMode.None"/> (padding rows are zeros).
    /// </summary>
    /// <exception cref="ArgumentException">The ids are not a whole number of bags, or the output has the wrong size.</exception>
    public static PoolingStats Pool(EmbeddingTable table, ReadOnlySpan<long> ids, int bagSize, PoolingMode mode, Span<float> output) =>
        Pool(table, ids, bagSize, mode, output, KernelIsas.Best);

    /// <summary>
    /// Pools ragged bags: <paramref name="lengths"/>[b] consecutive ids of <paramref name="ids"/> form bag b.
    /// Output is [bags, dim], or [ids, dim] for <see cref="PoolingMode.None"/> (padding rows are zeros).
    /// </summary>
    /// <exception cref="ArgumentException">A length is negative, the lengths do not add up to the ids, or the output has the wrong size.</exception>
    public static PoolingStats PoolRagged(EmbeddingTable table, ReadOnlySpan<long> ids, ReadOnlySpan<int> lengths, PoolingMode mode, Span<float> output) =>
        PoolRagged(table, ids, lengths, mode, output, KernelIsas.Best);

    /// <summary>Floats a padded call's output holds.</summary>
    public static long OutputLength(int batch, int bagSize, int dim, PoolingMode mode) =>
        mode == PoolingMode.None ? (long)batch * bagSize * dim : (long)batch * dim;

    internal static PoolingStats Pool(EmbeddingTable table, ReadOnlySpan<long> ids, int bagSize, PoolingMode mode, Span<float> output, KernelIsa isa)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.ThrowIfDisposed();
        if (bagSize <= 0 || ids.Length % bagSize != 0)
        {
            ThrowBadBags(ids.Length, bagSize);
        }
        var batch = ids.Length / bagSize;
        CheckOutput(output, OutputLength(batch, bagSize, table.Dim, mode));
        return Dispatch(table, ids, bagSize, default, mode, output, isa);
    }

    internal static PoolingStats PoolRagged(EmbeddingTable table, ReadOnlySpan<long> ids, ReadOnlySpan<int> lengths, PoolingMode mode, Span<float> output, KernelIsa isa)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.ThrowIfDisposed();
        long total = 0;
        foreach (var length in lengths)
        {
            if (length < 0)
            {
                ThrowBadLengths($"bag length {length} is negative");
            }
            total += length;
        }
        if (total != ids.Length)
        {
            ThrowBadLengths($"bag lengths add up to {total}, but there are {ids.Length} ids");
        }
        CheckOutput(output, mode == PoolingMode.None ? (long)ids.Length * table.Dim : (long)lengths.Length * table.Dim);
        return Dispatch(table, ids, 0, lengths, mode, output, isa);
    }

    private static PoolingStats Dispatch(EmbeddingTable table, ReadOnlySpan<long> ids, int bagSize, ReadOnlySpan<int> lengths, PoolingMode mode, Span<float> output, KernelIsa isa)
    {
        isa = KernelIsas.Limit(isa);
        fixed (float* destination = output)
        {
            return table.DataType switch
            {
                TensorDataType.Float32 => Run<Fp32RowDecoder>(table, ids, bagSize, lengths, mode, destination, isa),
                TensorDataType.Float16 => Run<Fp16RowDecoder>(table, ids, bagSize, lengths, mode, destination, isa),
                _ => Run<Int8RowDecoder>(table, ids, bagSize, lengths, mode, destination, isa),
            };
        }
    }

    /// <summary>The batch loop; <paramref name="bagSize"/> is 0 for ragged input.</summary>
    private static PoolingStats Run<TDecoder>(EmbeddingTable table, ReadOnlySpan<long> ids, int bagSize, ReadOnlySpan<int> lengths,
        PoolingMode mode, float* output, KernelIsa isa)
        where TDecoder : IRowDecoder
    {
        var block = stackalloc byte*[BlockSize];
        var dim = table.Dim;
        var bags = bagSize > 0 ? ids.Length / bagSize : lengths.Length;
        long lookups = 0;
        long misses = 0;
        var start = 0;
        for (var b = 0; b < bags; b++)
        {
            var length = bagSize > 0 ? bagSize : lengths[b];
            var bag = ids.Slice(start, length);
            if (mode == PoolingMode.None)
            {
                lookups += Unpooled<TDecoder>(table, bag, output + (long)start * dim, block, ref misses, isa);
            }
            else
            {
                var destination = output + (long)b * dim;
                var used = Pooled<TDecoder>(table, bag, destination, block, ref misses, isa);
                if (mode == PoolingMode.Mean && used > 1)
                {
                    RowAccumulator.Scale(destination, dim, 1f / used, isa);
                }
                lookups += used;
            }
            start += length;
        }
        return new PoolingStats(lookups, misses);
    }

    private static int Pooled<TDecoder>(EmbeddingTable table, ReadOnlySpan<long> bag, float* destination, byte** block, ref long misses, KernelIsa isa)
        where TDecoder : IRowDecoder
    {
        var used = 0;
        for (var i = 0; i < bag.Length; i += BlockSize)
        {
            var count = Resolve(table, bag.Slice(i, Math.Min(BlockSize, bag.Length - i)), block, ref misses);
            if (count > 0)
            {
                RowAccumulator.Accumulate<TDecoder>(block, count, destination, table.Dim, overwrite: used == 0, isa);
                used += count;
            }
        }
        if (used == 0)
        {
            new Span<float>(destination, table.Dim).Clear();
        }
        return used;
    }

    private static int Unpooled<TDecoder>(EmbeddingTable table, ReadOnlySpan<long> bag, float* destination, byte** block, ref long misses, KernelIsa isa)
        where TDecoder : IRowDecoder
    {
        var dim = table.Dim;
        var used = 0;
        for (var i = 0; i < bag.Length; i++)
        {
            var row = destination + (long)i * dim;
            if (Resolve(table, bag.Slice(i, 1), block, ref misses) == 0)
            {
                new Span<float>(row, dim).Clear();
                continue;
            }
            RowAccumulator.Accumulate<TDecoder>(block, 1, row, dim, overwrite: true, isa);
            used++;
        }
        return used;
    }

    /// <summary>Row pointers of the non-padding ids in <paramref name="ids"/>; returns how many.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Resolve(EmbeddingTable table, ReadOnlySpan<long> ids, byte** rows, ref long misses)
    {
        var index = table.Index;
        if (Sse.IsSupported && ids.Length > 1)
        {
            for (var i = 0; i < ids.Length; i++)
            {
                Sse.Prefetch0(index.Keys + index.HomeBucket(ids[i]));
            }
        }
        var count = 0;
        for (var i = 0; i < ids.Length; i++)
        {
            var id = ids[i];
            if (id < 0)
            {
                continue;
            }
            byte* row;
            if (index.TryFind(id, out var rowIndex))
            {
                row = table.RowPointer(rowIndex);
            }
            else
            {
                row = table.DefaultRowPointer;
                misses++;
            }
            if (Sse.IsSupported)
            {
                Sse.Prefetch0(row);
            }
            rows[count++] = row;
        }
        return count;
    }

    private static void CheckOutput(Span<float> output, long expected)
    {
        if (output.Length != expected)
        {
            ThrowBadOutput(output.Length, expected);
        }
    }

    [DoesNotReturn]
    private static void ThrowBadBags(int ids, int bagSize) =>
        throw new ArgumentException($"{ids} ids are not a whole number of bags of {bagSize}", nameof(bagSize));

    [DoesNotReturn]
    private static void ThrowBadLengths(string message) => throw new ArgumentException(message, "lengths");

    [DoesNotReturn]
    private static void ThrowBadOutput(int actual, long expected) =>
        throw new ArgumentException($"output holds {actual} floats, the result needs {expected}", "output");
}
