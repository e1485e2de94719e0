using System.Text;
using RecServe.Core.Signatures;
using RecServe.Core.Tensors;
using RecServe.Import.Rewrite;

namespace RecServe.Import.Check;

/// <summary>Random inputs that both the original model and its bundle must answer identically.</summary>
internal static class RandomInputs
{
    // Width used for a dynamic non-batch dimension.
    private const int DynamicWidth = 3;

    /// <summary>A tensor for <paramref name="spec"/> with <paramref name="batch"/> rows.</summary>
    /// <param name="spec">The input as the original model declares it.</param>
    /// <param name="batch">Size of a dynamic first dimension.</param>
    /// <param name="feature">The lookup this input feeds, if it is an id input that was extracted.</param>
    /// <param name="random">Source of values.</param>
    public static Tensor Create(TensorSpec spec, int batch, RewrittenFeature? feature, Random random)
    {
        var declared = spec.Shape ?? [-1];
        var shape = new long[declared.Length];
        for (var i = 0; i < shape.Length; i++)
        {
            shape[i] = declared[i] >= 0 ? declared[i] : i == 0 ? batch : Math.Min(DynamicWidth, feature?.MaxIdsPerRow ?? DynamicWidth);
        }
        var count = 1L;
        foreach (var d in shape)
        {
            count *= d;
        }
        var n = checked((int)count);
        switch (spec.DataType)
        {
            case TensorDataType.Int64 when feature is not null:
                return Tensor.FromValues<long>(TensorDataType.Int64, shape, Ids(shape, feature, random));
            case TensorDataType.Int64:
                // Integer inputs the import did not touch may index small constants: keep them tiny and valid.
                return Tensor.FromValues<long>(TensorDataType.Int64, shape, Fill(n, () => (long)random.Next(2)));
            case TensorDataType.Int32 when feature is not null:
                return Tensor.FromValues<int>(TensorDataType.Int32, shape, Ids(shape, feature, random).Select(v => (int)v).ToArray());
            case TensorDataType.Int32:
                return Tensor.FromValues<int>(TensorDataType.Int32, shape, Fill(n, () => random.Next(2)));
            case TensorDataType.Int8:
                return Tensor.FromValues<sbyte>(TensorDataType.Int8, shape, Fill(n, () => (sbyte)random.Next(-3, 4)));
            case TensorDataType.UInt8:
            case TensorDataType.Bool:
                return Tensor.FromValues<byte>(spec.DataType, shape, Fill(n, () => (byte)random.Next(2)));
            case TensorDataType.Float32:
                return Tensor.FromValues<float>(TensorDataType.Float32, shape, Fill(n, () => (float)Normal(random)));
            case TensorDataType.Float64:
                return Tensor.FromValues<double>(TensorDataType.Float64, shape, Fill(n, () => Normal(random)));
            case TensorDataType.Float16:
                return Tensor.FromValues<Half>(TensorDataType.Float16, shape, Fill(n, () => (Half)Normal(random)));
            case TensorDataType.String:
                return Tensor.FromStrings(shape, Fill(n, () => Encoding.UTF8.GetBytes($"s{random.Next(10)}")));
            default:
                throw new ImportException($"cannot make test values for input '{spec.Name}' of type {spec.DataType.DisplayName()}");
        }
    }

    /// <summary>Ids within the table; where the graph masks padding, some bags end early with -1.</summary>
    private static long[] Ids(long[] shape, RewrittenFeature feature, Random random)
    {
        var rows = (int)Math.Min(int.MaxValue, feature.Rows);
        var width = shape.Length == 2 ? (int)shape[1] : 1;
        var ids = new long[checked((int)(shape[0] * width))];
        for (var b = 0; b < shape[0]; b++)
        {
            var length = feature.Lookup.PaddingMasked ? random.Next(0, width + 1) : width;
            for (var j = 0; j < width; j++)
            {
                ids[b * width + j] = j < length ? random.Next(rows) : -1;
            }
        }
        return ids;
    }

    private static T[] Fill<T>(int n, Func<T> next)
    {
        var values = new T[n];
        for (var i = 0; i < n; i++)
        {
            values[i] = next();
        }
        return values;
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
