using RecServe.Core.Tensors;

namespace RecServe.Import.Check;

/// <summary>How far two tensors of one output differ.</summary>
internal static class OutputDifference
{
    /// <summary>
    /// The largest element difference, absolute for values up to 1 and relative above (a logit of 300 may differ
    /// in its 8th digit); any mismatch of shape, type, integers or strings counts as infinitely far.
    /// </summary>
    public static double Max(string name, Tensor expected, Tensor actual)
    {
        if (expected.DataType != actual.DataType || !expected.Shape.AsSpan().SequenceEqual(actual.Shape))
        {
            throw new ImportException(
                $"output '{name}' is {actual.DataType.DisplayName()} [{string.Join(", ", actual.Shape)}] from the bundle, " +
                $"{expected.DataType.DisplayName()} [{string.Join(", ", expected.Shape)}] from the original model");
        }
        return expected.DataType switch
        {
            TensorDataType.Float32 => Floats(expected.AsSpan<float>(), actual.AsSpan<float>()),
            TensorDataType.Float64 => Doubles(expected.AsSpan<double>(), actual.AsSpan<double>()),
            TensorDataType.Float16 => Halves(expected.AsSpan<Half>(), actual.AsSpan<Half>()),
            TensorDataType.String => expected.Strings.Zip(actual.Strings).All(p => p.First.AsSpan().SequenceEqual(p.Second)) ? 0 : double.PositiveInfinity,
            _ => expected.Bytes.SequenceEqual(actual.Bytes) ? 0 : double.PositiveInfinity,
        };
    }

    private static double Floats(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        var max = 0.0;
        for (var i = 0; i < expected.Length; i++)
        {
            max = Math.Max(max, Difference(expected[i], actual[i]));
        }
        return max;
    }

    private static double Doubles(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual)
    {
        var max = 0.0;
        for (var i = 0; i < expected.Length; i++)
        {
            max = Math.Max(max, Difference(expected[i], actual[i]));
        }
        return max;
    }

    private static double Halves(ReadOnlySpan<Half> expected, ReadOnlySpan<Half> actual)
    {
        var max = 0.0;
        for (var i = 0; i < expected.Length; i++)
        {
            max = Math.Max(max, Difference((double)expected[i], (double)actual[i]));
        }
        return max;
    }

    private static double Difference(double expected, double actual)
    {
        if (double.IsNaN(expected) || double.IsNaN(actual))
        {
            return double.IsNaN(expected) && double.IsNaN(actual) ? 0 : double.PositiveInfinity;
        }
        return Math.Abs(expected - actual) / Math.Max(1, Math.Abs(expected));
    }
}
