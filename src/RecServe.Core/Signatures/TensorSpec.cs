using RecServe.Core.Tensors;

namespace RecServe.Core.Signatures;

/// <summary>One named input or output of a signature: element type and shape, -1 for a dynamic dimension.</summary>
/// <param name="Name">The name clients use in requests and responses.</param>
/// <param name="DataType">Element type.</param>
/// <param name="Shape">Dimensions; -1 where any size is accepted. Null when the rank is unknown.</param>
public sealed record TensorSpec(string Name, TensorDataType DataType, long[]? Shape)
{
    /// <summary>Whether the first dimension is the batch dimension (dynamic).</summary>
    public bool HasDynamicBatch => Shape is { Length: > 0 } && Shape[0] < 0;

    /// <summary>
    /// Set for a sparse feature's id input (a bundle's): int64 ids as [batch], [batch, L] padded with negative
    /// ids, or flat with a <c>{Name}.lengths</c> input. Null for an ordinary tensor input.
    /// </summary>
    public SparseIdsSpec? Sparse { get; init; }
}
