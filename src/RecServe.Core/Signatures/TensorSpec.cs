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
}
