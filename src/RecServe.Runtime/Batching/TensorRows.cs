using RecServe.Core.Tensors;

namespace RecServe.Runtime.Batching;

/// <summary>Row (first-dimension) slicing and stacking of tensors, for merging requests into batches and back.</summary>
public static class TensorRows
{
    /// <summary>Elements per row: the product of every dimension after the first.</summary>
    public static long RowElements(long[] shape)
    {
        long count = 1;
        for (var i = 1; i < shape.Length; i++)
        {
            count *= shape[i];
        }
        return count;
    }

    /// <summary>Whether two shapes agree on every dimension after the first.</summary>
    public static bool SameRowShape(long[] a, long[] b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }
        for (var i = 1; i < a.Length; i++)
        {
            if (a[i] != b[i])
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>A new tensor holding rows [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>).</summary>
    public static Tensor Slice(Tensor source, long start, long count)
    {
        var shape = (long[])source.Shape.Clone();
        shape[0] = count;
        var rowElements = RowElements(source.Shape);
        if (source.DataType == TensorDataType.String)
        {
            return Tensor.FromStrings(shape, source.Strings.AsSpan((int)(start * rowElements), (int)(count * rowElements)).ToArray());
        }
        return Tensor.FromBytes(source.DataType, shape, RowBytes(source, start, count));
    }

    /// <summary>The bytes of rows [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) of a fixed-size tensor.</summary>
    public static ReadOnlySpan<byte> RowBytes(Tensor source, long start, long count)
    {
        var rowBytes = RowElements(source.Shape) * source.DataType.ElementSize();
        return source.Bytes.Slice((int)(start * rowBytes), (int)(count * rowBytes));
    }

    /// <summary>
    /// Stacks <paramref name="parts"/> (same type and row shape) along the first dimension into a tensor of
    /// <paramref name="totalRows"/> rows; rows beyond the parts stay zero (or empty strings): batch padding.
    /// </summary>
    public static Tensor Concat(IReadOnlyList<Tensor> parts, long totalRows)
    {
        var first = parts[0];
        var shape = (long[])first.Shape.Clone();
        shape[0] = totalRows;
        var merged = Tensor.Allocate(first.DataType, shape);
        if (first.DataType == TensorDataType.String)
        {
            var target = merged.Strings;
            var offset = 0;
            foreach (var part in parts)
            {
                part.Strings.CopyTo(target, offset);
                offset += part.Strings.Length;
            }
            return merged;
        }
        var bytes = merged.Bytes;
        var position = 0;
        foreach (var part in parts)
        {
            part.Bytes.CopyTo(bytes[position..]);
            position += part.Bytes.Length;
        }
        return merged;
    }
}
