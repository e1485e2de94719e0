using RecServe.Core.Signatures;
using RecServe.Core.Tensors;

namespace RecServe.Runtime.Batching;

/// <summary>
/// Batch-row arithmetic for sparse id inputs, whose rows are not always their first dimension: merged requests
/// become one ragged feature (flat ids, int32 lengths; padding rows get length 0), whatever layout each request
/// used, so bags of different widths share a batch.
/// </summary>
internal static class SparseRows
{
    /// <summary>Batch rows of <paramref name="spec"/>'s input in <paramref name="inputs"/>.</summary>
    public static long Rows(TensorSpec spec, IReadOnlyDictionary<string, Tensor> inputs)
    {
        var tensor = inputs[spec.Name];
        return spec.Sparse is null ? tensor.Shape[0] : SparseIdsLayouts.Rows(tensor, SparseIdsLayouts.FindLengths(inputs, spec.Sparse));
    }

    /// <summary>
    /// Merges the feature <paramref name="sparse"/> of every request into ragged ids (input <paramref name="idsName"/>) and
    /// lengths of <paramref name="paddedRows"/> rows, in <paramref name="into"/>'s kept tensors.
    /// </summary>
    public static void MergeInto(string idsName, SparseIdsSpec sparse, List<BatchItem> items, int paddedRows, InputTensorBuffers into)
    {
        var name = sparse.Feature;
        long total = 0;
        foreach (var item in items)
        {
            total += CountIds(item.Inputs[name], SparseIdsLayouts.FindLengths(item.Inputs, sparse));
        }
        var ids = into.Take(idsName, TensorDataType.Int64, [total], clear: false);
        // Cleared: padding rows have no ids.
        var lengths = into.Take(sparse.LengthsName, TensorDataType.Int32, [paddedRows], clear: true);
        var idTarget = ids.AsSpan<long>();
        var lengthTarget = lengths.AsSpan<int>();
        int position = 0, row = 0;
        foreach (var item in items)
        {
            var source = item.Inputs[name];
            var itemLengths = SparseIdsLayouts.FindLengths(item.Inputs, sparse);
            if (itemLengths is not null)
            {
                var flat = source.AsSpan<long>();
                flat.CopyTo(idTarget[position..]);
                position += flat.Length;
                for (var i = 0; i < itemLengths.Shape[0]; i++)
                {
                    lengthTarget[row++] = (int)SparseIdsLayouts.LengthAt(itemLengths, i);
                }
                continue;
            }
            var width = source.Shape.Length == 2 ? (int)source.Shape[1] : 1;
            var values = source.AsSpan<long>();
            for (var r = 0; r < source.Shape[0]; r++)
            {
                var length = 0;
                foreach (var id in values.Slice(r * width, width))
                {
                    if (id >= 0)
                    {
                        idTarget[position++] = id;
                        length++;
                    }
                }
                lengthTarget[row++] = length;
            }
        }
    }

    /// <summary>The flat ids of rows [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) of a ragged feature.</summary>
    public static Tensor SliceRagged(Tensor ids, Tensor lengths, long start, long count)
    {
        long offset = 0, length = 0;
        for (var row = 0; row < start + count; row++)
        {
            var bag = SparseIdsLayouts.LengthAt(lengths, row);
            if (row < start)
            {
                offset += bag;
            }
            else
            {
                length += bag;
            }
        }
        return Tensor.FromValues<long>(TensorDataType.Int64, [length], ids.AsSpan<long>().Slice((int)offset, (int)length));
    }

    private static long CountIds(Tensor ids, Tensor? lengths)
    {
        if (lengths is not null)
        {
            return ids.ElementCount;
        }
        long count = 0;
        foreach (var id in ids.AsSpan<long>())
        {
            if (id >= 0)
            {
                count++;
            }
        }
        return count;
    }
}
