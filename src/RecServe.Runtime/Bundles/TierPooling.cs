using System.Buffers;
using System.Numerics;
using RecServe.Embeddings.Kernels;
using RecServe.Embeddings.Tiers;

namespace RecServe.Runtime.Bundles;

/// <summary>
/// Pooling over a tier stack (cache in front of a table) instead of a bare table: gather the non-padding ids'
/// rows through the tier, fill the ids no tier has with the default row, and combine them per bag. Same results
/// as <see cref="EmbeddingPooling"/>; scratch comes from <see cref="ArrayPool{T}"/>.
/// </summary>
internal static class TierPooling
{
    /// <summary>
    /// Bags are [batch, <paramref name="bagSize"/>] when <paramref name="bagSize"/> &gt; 0, else given by
    /// <paramref name="lengths"/>. Output as <see cref="EmbeddingPooling.Pool"/> / <see cref="EmbeddingPooling.PoolRagged"/>.
    /// </summary>
    public static void Pool(IEmbeddingTier tier, ReadOnlySpan<float> defaultRow, ReadOnlySpan<long> ids, int bagSize, ReadOnlySpan<int> lengths,
        PoolingMode mode, Span<float> output)
    {
        var dim = tier.Dim;
        var live = ArrayPool<long>.Shared.Rent(Math.Max(ids.Length, 1));
        var rows = ArrayPool<float>.Shared.Rent(Math.Max(ids.Length * dim, 1));
        var found = ArrayPool<bool>.Shared.Rent(Math.Max(ids.Length, 1));
        try
        {
            var count = 0;
            foreach (var id in ids)
            {
                if (id >= 0)
                {
                    live[count++] = id;
                }
            }
            tier.Gather(live.AsSpan(0, count), rows.AsSpan(0, count * dim), found.AsSpan(0, count));
            for (var j = 0; j < count; j++)
            {
                if (!found[j])
                {
                    defaultRow.CopyTo(rows.AsSpan(j * dim, dim));
                }
            }
            Combine(ids, bagSize, lengths, mode, rows, dim, output);
        }
        finally
        {
            ArrayPool<long>.Shared.Return(live);
            ArrayPool<float>.Shared.Return(rows);
            ArrayPool<bool>.Shared.Return(found);
        }
    }

    private static void Combine(ReadOnlySpan<long> ids, int bagSize, ReadOnlySpan<int> lengths, PoolingMode mode, ReadOnlySpan<float> rows, int dim, Span<float> output)
    {
        output.Clear();
        var bags = bagSize > 0 ? ids.Length / bagSize : lengths.Length;
        var position = 0;
        var next = 0;
        for (var bag = 0; bag < bags; bag++)
        {
            var length = bagSize > 0 ? bagSize : lengths[bag];
            var used = 0;
            for (var slot = position; slot < position + length; slot++)
            {
                if (ids[slot] < 0)
                {
                    continue;
                }
                var row = rows.Slice(next++ * dim, dim);
                if (mode == PoolingMode.None)
                {
                    row.CopyTo(output.Slice(slot * dim, dim));
                }
                else
                {
                    Add(output.Slice(bag * dim, dim), row);
                    used++;
                }
            }
            if (mode == PoolingMode.Mean && used > 1)
            {
                Scale(output.Slice(bag * dim, dim), 1f / used);
            }
            position += length;
        }
    }

    private static void Add(Span<float> sum, ReadOnlySpan<float> row)
    {
        var i = 0;
        for (; i <= sum.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            (new Vector<float>(sum[i..]) + new Vector<float>(row[i..])).CopyTo(sum[i..]);
        }
        for (; i < sum.Length; i++)
        {
            sum[i] += row[i];
        }
    }

    private static void Scale(Span<float> values, float factor)
    {
        for (var i = 0; i < values.Length; i++)
        {
            values[i] *= factor;
        }
    }
}
