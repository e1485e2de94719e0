using System.Buffers;
using RecServe.Core.Signatures;
using RecServe.Core.Tensors;
using RecServe.Embeddings.Kernels;

namespace RecServe.Runtime.Bundles;

/// <summary>
/// The sparse stage of one feature: turns the request's ids (any of the three wire layouts) into the float
/// tensor its graph input takes, and the ids tensor too when the graph wants the ids.
/// </summary>
/// <param name="name">Feature name, as in requests.</param>
/// <param name="table">The table looked up.</param>
/// <param name="mode">Pooling.</param>
/// <param name="pooledInput">Index of the pooled input in the dense graph's input order.</param>
/// <param name="idsInput">Index of the ids input in the dense graph's input order, or -1.</param>
/// <param name="idsRank">Rank of the graph's ids input (1 or 2), when there is one.</param>
internal sealed class BundleFeature(string name, ServedTable table, PoolingMode mode, int pooledInput, int idsInput, int idsRank)
{
    public string Name { get; } = name;

    /// <summary>Name of the feature's optional lengths input.</summary>
    public string LengthsName { get; } = name + SparseIdsSpec.LengthsSuffix;

    public int PooledInput { get; } = pooledInput;

    public int IdsInput { get; } = idsInput;

    /// <summary>
    /// Pools the feature. Returns the graph's float input, taken from <paramref name="pooled"/> (the slot keeps it;
    /// the caller does not dispose it) and, when the graph takes the ids, sets <paramref name="graphIds"/> to the
    /// ids tensor: the request's own when it already has the graph's layout (<paramref name="ownsGraphIds"/> false),
    /// else a padded copy the caller disposes.
    /// </summary>
    public Tensor Run(Tensor ids, Tensor? lengths, TensorSlot pooled, out Tensor? graphIds, out bool ownsGraphIds)
    {
        graphIds = null;
        ownsGraphIds = false;
        var layout = SparseIdsLayouts.Of(ids, lengths);
        var batch = (int)SparseIdsLayouts.Rows(ids, lengths);
        var width = layout switch
        {
            SparseIdsLayout.OnePerRow => 1,
            SparseIdsLayout.Padded => (int)ids.Shape[1],
            _ => LongestBag(lengths!),
        };
        var padded = layout == SparseIdsLayout.Ragged && (mode == PoolingMode.None || IdsInput >= 0) ? RaggedToPadded(ids, lengths!, batch, width) : null;
        var output = mode == PoolingMode.None
            ? pooled.Take(TensorDataType.Float32, [batch, width, table.Dim], clear: true)
            : pooled.Take(TensorDataType.Float32, [batch, table.Dim], clear: true);
        try
        {
            if (layout == SparseIdsLayout.Ragged && mode != PoolingMode.None)
            {
                PoolRagged(ids.AsSpan<long>(), lengths!, output.AsSpan<float>());
            }
            else if (width > 0)
            {
                table.Pool((padded ?? ids).AsSpan<long>(), width, mode, output.AsSpan<float>());
            }
            if (IdsInput >= 0)
            {
                graphIds = GraphIds(ids, padded, batch, width, out ownsGraphIds);
                if (graphIds == padded)
                {
                    padded = null;
                }
            }
            return output;
        }
        catch
        {
            if (ownsGraphIds)
            {
                graphIds?.Dispose();
            }
            throw;
        }
        finally
        {
            padded?.Dispose();
        }
    }

    private void PoolRagged(ReadOnlySpan<long> ids, Tensor lengths, Span<float> output)
    {
        if (lengths.DataType == TensorDataType.Int32)
        {
            table.PoolRagged(ids, lengths.AsSpan<int>(), mode, output);
            return;
        }
        // The kernel takes int32 lengths; int64 ones (validated to be at most max_ids_per_row) are narrowed.
        var wide = lengths.AsSpan<long>();
        var narrow = ArrayPool<int>.Shared.Rent(Math.Max(wide.Length, 1));
        try
        {
            for (var i = 0; i < wide.Length; i++)
            {
                narrow[i] = (int)wide[i];
            }
            table.PoolRagged(ids, narrow.AsSpan(0, wide.Length), mode, output);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(narrow);
        }
    }

    /// <summary>The ids in the rank the graph declares: [batch, L] (ragged padded with -1), or [batch] for a rank-1 input.</summary>
    private Tensor GraphIds(Tensor ids, Tensor? padded, int batch, int width, out bool owned)
    {
        var source = padded ?? ids;
        var wanted = idsRank == 1 ? 1 : width;
        if (source.Shape.Length == idsRank && (idsRank == 1 || source.Shape[1] == wanted))
        {
            owned = source == padded;
            return source;
        }
        // Same ids, another shape: [batch] as [batch, 1], or [batch, 1] (or an all-padding [batch, 0]) as [batch].
        owned = true;
        var copy = Tensor.Allocate(TensorDataType.Int64, idsRank == 1 ? [batch] : [batch, wanted]);
        var target = copy.AsSpan<long>();
        target.Fill(-1);
        if (width > 0)
        {
            source.AsSpan<long>().CopyTo(target);
        }
        return copy;
    }

    private static int LongestBag(Tensor lengths)
    {
        long longest = 0;
        for (var row = 0; row < lengths.Shape[0]; row++)
        {
            longest = Math.Max(longest, SparseIdsLayouts.LengthAt(lengths, row));
        }
        return (int)longest;
    }

    private static Tensor RaggedToPadded(Tensor ids, Tensor lengths, int batch, int width)
    {
        var padded = Tensor.Allocate(TensorDataType.Int64, [batch, width]);
        var target = padded.AsSpan<long>();
        target.Fill(-1);
        var source = ids.AsSpan<long>();
        var position = 0;
        for (var row = 0; row < batch; row++)
        {
            var length = (int)SparseIdsLayouts.LengthAt(lengths, row);
            source.Slice(position, length).CopyTo(target.Slice(row * width, length));
            position += length;
        }
        return padded;
    }
}
