using RecServe.Core.Tensors;

namespace RecServe.Embeddings.Deltas;

/// <summary>
/// A replacement for one initializer of the dense graph, carried by a delta: raw little-endian values of
/// <paramref name="Shape"/> in <paramref name="DataType"/>. Validated for size here; applying it to the graph is the
/// runtime's business.
/// </summary>
/// <param name="Name">The initializer's name in the graph.</param>
/// <param name="DataType">Element type (a fixed-size type, not string).</param>
/// <param name="Shape">Dimensions, each ≥ 0.</param>
/// <param name="Data">Exactly product(shape) × element size bytes.</param>
public sealed record DenseWeightUpdate(string Name, TensorDataType DataType, long[] Shape, byte[] Data)
{
    /// <summary>Elements the shape holds.</summary>
    public long ElementCount
    {
        get
        {
            long count = 1;
            foreach (var dimension in Shape)
            {
                count = checked(count * dimension);
            }
            return count;
        }
    }
}
