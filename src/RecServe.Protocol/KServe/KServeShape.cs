using RecServe.Core.Errors;
using RecServe.Core.Tensors;

namespace RecServe.Protocol.KServe;

/// <summary>Checks a request tensor's KServe v2 shape and counts its elements.</summary>
internal static class KServeShape
{
    /// <summary>
    /// Number of elements of <paramref name="shape"/>; INVALID_ARGUMENT, naming <paramref name="name"/>, for a
    /// negative dimension or more elements than one tensor can hold.
    /// </summary>
    public static int ElementCount(string name, ReadOnlySpan<long> shape)
    {
        long count = 1;
        for (var i = 0; i < shape.Length; i++)
        {
            if (shape[i] < 0)
            {
                throw ServingException.InvalidArgument(
                    $"input '{name}' has shape {TensorShape.Format(shape)}; dimension {i} is negative, and a request tensor needs every size");
            }
            // Dividing first keeps the product from overflowing before the check.
            if (shape[i] != 0 && count > int.MaxValue / shape[i])
            {
                throw ServingException.InvalidArgument(
                    $"input '{name}' has shape {TensorShape.Format(shape)}, more elements than one tensor may hold");
            }
            count *= shape[i];
        }
        return (int)count;
    }
}
