using RecServe.Core.Tensors;

namespace RecServe.Runtime.Tests.Bundles;

/// <summary>Builds request tensors for the test bundle's features in each wire layout.</summary>
internal static class BundleRequests
{
    public static Tensor Dense(int batch, int seed = 5)
    {
        var random = new Random(seed);
        var values = new float[batch * 4];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)(random.NextDouble() * 2 - 1);
        }
        return Tensor.FromValues<float>(TensorDataType.Float32, [batch, 4], values);
    }

    /// <summary>[batch] ids; every bag must hold exactly one id.</summary>
    public static Tensor OnePerRow(long[][] bags)
    {
        var ids = new long[bags.Length];
        for (var row = 0; row < bags.Length; row++)
        {
            ids[row] = Assert.Single(bags[row]);
        }
        return Tensor.FromValues<long>(TensorDataType.Int64, [bags.Length], ids);
    }

    /// <summary>[batch, width] ids padded with -1.</summary>
    public static Tensor Padded(long[][] bags, int width)
    {
        var ids = new long[bags.Length * width];
        Array.Fill(ids, -1);
        for (var row = 0; row < bags.Length; row++)
        {
            bags[row].CopyTo(ids, row * width);
        }
        return Tensor.FromValues<long>(TensorDataType.Int64, [bags.Length, width], ids);
    }

    /// <summary>Flat ids and their lengths, int32 or int64.</summary>
    public static (Tensor Ids, Tensor Lengths) Ragged(long[][] bags, bool int64Lengths = false)
    {
        var flat = new List<long>();
        var lengths = new long[bags.Length];
        for (var row = 0; row < bags.Length; row++)
        {
            flat.AddRange(bags[row]);
            lengths[row] = bags[row].Length;
        }
        var ids = Tensor.FromValues<long>(TensorDataType.Int64, [flat.Count], flat.ToArray());
        var lengthTensor = int64Lengths
            ? Tensor.FromValues<long>(TensorDataType.Int64, [bags.Length], lengths)
            : Tensor.FromValues<int>(TensorDataType.Int32, [bags.Length], Array.ConvertAll(lengths, l => (int)l));
        return (ids, lengthTensor);
    }

    /// <summary>A request with both features padded to their widest bag (at least 1).</summary>
    public static Dictionary<string, Tensor> PaddedRequest(long[][] bagsA, long[][] bagsB, int seed = 5) => new()
    {
        ["dense"] = Dense(bagsA.Length, seed),
        ["a"] = Padded(bagsA, Widest(bagsA)),
        ["b"] = Padded(bagsB, Widest(bagsB)),
    };

    /// <summary>A request with both features ragged.</summary>
    public static Dictionary<string, Tensor> RaggedRequest(long[][] bagsA, long[][] bagsB, bool int64Lengths = false, int seed = 5)
    {
        var (a, aLengths) = Ragged(bagsA, int64Lengths);
        var (b, bLengths) = Ragged(bagsB, int64Lengths);
        return new Dictionary<string, Tensor>
        {
            ["dense"] = Dense(bagsA.Length, seed),
            ["a"] = a,
            ["a.lengths"] = aLengths,
            ["b"] = b,
            ["b.lengths"] = bLengths,
        };
    }

    public static int Widest(long[][] bags)
    {
        var widest = 1;
        foreach (var bag in bags)
        {
            widest = Math.Max(widest, bag.Length);
        }
        return widest;
    }

    public static void DisposeAll(Dictionary<string, Tensor> inputs)
    {
        foreach (var tensor in inputs.Values)
        {
            tensor.Dispose();
        }
    }
}
