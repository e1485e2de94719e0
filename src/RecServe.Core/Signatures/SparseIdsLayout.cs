using RecServe.Core.Tensors;

namespace RecServe.Core.Signatures;

/// <summary>How a request lays out one sparse feature's ids (docs/BUNDLE.md, "Sparse features on the wire").</summary>
public enum SparseIdsLayout
{
    /// <summary><c>f</c>: [batch], one id per row.</summary>
    OnePerRow,

    /// <summary><c>f</c>: [batch, L], negative ids are padding.</summary>
    Padded,

    /// <summary><c>f</c>: [n] flat ids and <c>f.lengths</c>: [batch].</summary>
    Ragged,
}

/// <summary>Reads the layout and batch size of a sparse feature's (already validated) tensors.</summary>
public static class SparseIdsLayouts
{
    /// <summary>The layout of <paramref name="ids"/>, given the feature's lengths tensor if the request has one.</summary>
    public static SparseIdsLayout Of(Tensor ids, Tensor? lengths) =>
        lengths is not null ? SparseIdsLayout.Ragged : ids.Shape.Length == 2 ? SparseIdsLayout.Padded : SparseIdsLayout.OnePerRow;

    /// <summary>Batch rows the feature carries.</summary>
    public static long Rows(Tensor ids, Tensor? lengths) => lengths is not null ? lengths.Shape[0] : ids.Shape[0];

    /// <summary>Length of bag <paramref name="row"/> of a lengths tensor (int32 or int64).</summary>
    public static long LengthAt(Tensor lengths, int row) =>
        lengths.DataType == TensorDataType.Int32 ? lengths.AsSpan<int>()[row] : lengths.AsSpan<long>()[row];

    /// <summary>The lengths tensor of the feature <paramref name="sparse"/> describes, or null.</summary>
    public static Tensor? FindLengths(IReadOnlyDictionary<string, Tensor> inputs, SparseIdsSpec sparse) =>
        inputs.TryGetValue(sparse.LengthsName, out var lengths) ? lengths : null;
}
