namespace RecServe.Core.Tensors;

/// <summary>Arithmetic and formatting for tensor shapes held as <c>long[]</c> (-1 marks a dynamic dimension).</summary>
public static class TensorShape
{
    /// <summary>Number of elements of a fully known shape; throws on negative dims or overflow.</summary>
    public static long ElementCount(ReadOnlySpan<long> shape)
    {
        long count = 1;
        foreach (var dim in shape)
        {
            if (dim < 0)
            {
                throw new ArgumentException($"shape {Format(shape)} has a negative dimension");
            }
            count = checked(count * dim);
        }
        return count;
    }

    /// <summary>Formats a shape as <c>[2, -1, 3]</c> for error messages.</summary>
    public static string Format(ReadOnlySpan<long> shape)
    {
        if (shape.Length == 0)
        {
            return "[]";
        }
        var parts = new string[shape.Length];
        for (var i = 0; i < shape.Length; i++)
        {
            parts[i] = shape[i].ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return "[" + string.Join(", ", parts) + "]";
    }
}
