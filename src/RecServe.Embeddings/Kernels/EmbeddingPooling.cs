using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using RecServe.Core.Tensors;
using RecServe.Embeddings.Tables;

namespace RecServe.Embeddings.Kernels;

/// <summary>
/// Lookup and pooling of a whole batch of id bags in one call, decoding fp32, fp16 and int8 rows on the fly with
/// the widest vectors the CPU has (AVX-512, then AVX2, then scalar). Negative ids are padding and are skipped;
/// unknown ids get the table's default row and are counted. Writes into the caller's buffer; allocates nothing.
/// </summary>
public static unsafe partial class EmbeddingPooling
{
    // Ids resolved before their rows are added: enough to keep many cache misses in flight, few enough that the
    // prefetched rows are still in cache when they are added.
    private const int SegmentSize = 64;

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

    /// <summary>
    /// The batch loop; <paramref name="bagSize"/> is 0 for ragged input. Bags that may straddle segments (ragged,
    /// or longer than a segment) go through a <see cref="BagCursor"/>; fixed bags that fit take the whole-bag loop.
    /// </summary>
    private static PoolingStats Run<TDecoder>(EmbeddingTable table, ReadOnlySpan<long> ids, int bagSize, ReadOnlySpan<int> lengths,
        PoolingMode mode, float* output, KernelIsa isa)
        where TDecoder : IRowDecoder
    {
        if (mode != PoolingMode.None && bagSize is > 0 and <= SegmentSize)
        {
            return RunWholeBags<TDecoder>(table, ids, bagSize, mode, output, isa);
        }
        var rows = stackalloc byte*[SegmentSize];
        var block = stackalloc byte*[SegmentSize];
        var locator = new RowLocator(table);
        // Read once, so the whole batch sees one overlay version; null (no changes) costs one branch per segment.
        var overlay = table.Overlay;
        var dim = table.Dim;
        long lookups = 0;
        long misses = 0;
        var bags = new BagCursor(bagSize > 0 ? ids.Length / bagSize : lengths.Length, bagSize, lengths);
        for (var start = 0; start < ids.Length; start += SegmentSize)
        {
            var count = Math.Min(SegmentSize, ids.Length - start);
            lookups += locator.Resolve(ids, start, count, rows, ref misses);
            overlay?.Patch(ids, start, count, rows, ref misses, table.DefaultRowPointer);
            if (mode == PoolingMode.None)
            {
                Unpooled<TDecoder>(rows, count, output + (long)start * dim, dim, isa);
            }
            else
            {
                Pooled<TDecoder>(rows, count, block, ref bags, output, dim, mode, isa);
            }
        }
        if (mode != PoolingMode.None)
        {
            // Empty bags after the last id.
            while (bags.Bag < bags.Count)
            {
                FinishBag(ref bags, output, dim, mode, isa);
            }
        }
        // The overlay's rows live as long as it does: keep it reachable until the last row pointer is used.
        GC.KeepAlive(overlay);
        return new PoolingStats(lookups, misses);
    }

    /// <summary>Adds one segment's rows to the bags they belong to, finishing every bag that ends in it.</summary>
    private static void Pooled<TDecoder>(byte** rows, int count, byte** block, ref BagCursor bags, float* output, int dim, PoolingMode mode, KernelIsa isa)
        where TDecoder : IRowDecoder
    {
        var i = 0;
        while (i < count)
        {
            while (bags.Remaining == 0 && bags.Bag < bags.Count)
            {
                FinishBag(ref bags, output, dim, mode, isa);
            }
            var take = Math.Min(bags.Remaining, count - i);
            var found = 0;
            for (var j = i; j < i + take; j++)
            {
                var row = rows[j];
                if (row is not null)
                {
                    block[found++] = row;
                }
            }
            if (found > 0)
            {
                RowAccumulator.Accumulate<TDecoder>(block, found, output + (long)bags.Bag * dim, dim, overwrite: bags.Used == 0, isa);
                bags.Used += found;
            }
            bags.Remaining -= take;
            i += take;
            if (bags.Remaining == 0)
            {
                FinishBag(ref bags, output, dim, mode, isa);
            }
        }
    }

    /// <summary>Zeroes an empty bag's output or divides a mean, then moves to the next bag.</summary>
    private static void FinishBag(ref BagCursor bags, float* output, int dim, PoolingMode mode, KernelIsa isa)
    {
        var destination = output + (long)bags.Bag * dim;
        if (bags.Used == 0)
        {
            new Span<float>(destination, dim).Clear();
        }
        else if (mode == PoolingMode.Mean && bags.Used > 1)
        {
            RowAccumulator.Scale(destination, dim, 1f / bags.Used, isa);
        }
        bags.MoveNext();
    }

    private static void Unpooled<TDecoder>(byte** rows, int count, float* destination, int dim, KernelIsa isa)
        where TDecoder : IRowDecoder
    {
        for (var i = 0; i < count; i++)
        {
            var output = destination + (long)i * dim;
            if (rows[i] is null)
            {
                new Span<float>(output, dim).Clear();
                continue;
            }
            RowAccumulator.Accumulate<TDecoder>(rows + i, 1, output, dim, overwrite: true, isa);
        }
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
