using RecServe.Cli.Bench.Requests;
using RecServe.Core.Signatures;
using RecServe.Core.Tensors;

namespace RecServe.Cli.Tests.Bench.Requests;

public sealed class RequestGeneratorTests
{
    private static ModelSignature Dlrm() => new(
        [
            new TensorSpec("dense", TensorDataType.Float32, [-1, 13]),
            new TensorSpec("cat_0", TensorDataType.Int64, [-1, 4]),
            new TensorSpec("cat_3", TensorDataType.Int64, [-1, 4]),
        ],
        [new TensorSpec("probability", TensorDataType.Float32, [-1, 1])]);

    [Fact]
    public void FillsTheBatchDimensionAndKeepsFixedOnes()
    {
        var generator = new RequestGenerator(Dlrm(), new RequestSettings { Batch = 7 });
        using var request = generator.Next();
        Assert.Equal(["dense", "cat_0", "cat_3"], request.Items.Select(i => i.Name));
        Assert.Equal([7L, 13], request.Find("dense")!.Shape);
        Assert.Equal([7L, 4], request.Find("cat_0")!.Shape);
    }

    [Fact]
    public void IdsStayInsideEachInputsRange()
    {
        var settings = new RequestSettings
        {
            Batch = 256,
            IdSpace = 50,
            IdMax = new Dictionary<string, long> { ["cat_0"] = 1000 },
        };
        var generator = new RequestGenerator(Dlrm(), settings);
        var max0 = 0L;
        var max3 = 0L;
        for (var i = 0; i < 20; i++)
        {
            using var request = generator.Next();
            foreach (var id in request.Find("cat_0")!.AsSpan<long>())
            {
                Assert.InRange(id, 0, 999);
                max0 = Math.Max(max0, id);
            }
            foreach (var id in request.Find("cat_3")!.AsSpan<long>())
            {
                Assert.InRange(id, 0, 49);
                max3 = Math.Max(max3, id);
            }
        }
        // Zipf tails do reach past the defaults: the ranges are used, not just the hot head.
        Assert.True(max0 >= 100, $"largest cat_0 id {max0}");
        Assert.True(max3 >= 40, $"largest cat_3 id {max3}");
    }

    [Fact]
    public void FloatsAreStandardNormal()
    {
        var generator = new RequestGenerator(Dlrm(), new RequestSettings { Batch = 4096 });
        using var request = generator.Next();
        var values = request.Find("dense")!.AsSpan<float>().ToArray();
        var mean = values.Average();
        var variance = values.Select(v => (v - mean) * (v - mean)).Average();
        Assert.InRange(mean, -0.02, 0.02);
        Assert.InRange(variance, 0.97, 1.03);
    }

    [Fact]
    public void SameSeedGivesSameRequests()
    {
        using var a = new RequestGenerator(Dlrm(), new RequestSettings { Seed = 5 }).Next();
        using var b = new RequestGenerator(Dlrm(), new RequestSettings { Seed = 5 }).Next();
        foreach (var item in a.Items)
        {
            Assert.True(item.Tensor.Bytes.SequenceEqual(b.Find(item.Name)!.Bytes), item.Name);
        }
    }

    [Fact]
    public void RejectsAnIdRangeForAnUnknownInput()
    {
        var settings = new RequestSettings { IdMax = new Dictionary<string, long> { ["cat_9"] = 10 } };
        var e = Assert.Throws<ArgumentException>(() => new RequestGenerator(Dlrm(), settings));
        Assert.Contains("cat_9", e.Message);
    }

    [Fact]
    public void RejectsStringInputs()
    {
        var signature = new ModelSignature([new TensorSpec("query", TensorDataType.String, [-1])], []);
        var e = Assert.Throws<ArgumentException>(() => new RequestGenerator(signature, new RequestSettings()));
        Assert.Contains("--requests", e.Message);
    }

    [Fact]
    public void ShapeOfGivesOtherDynamicDimensionsOneAndUnknownRankABatchVector()
    {
        Assert.Equal([8L, 1, 3], RequestGenerator.ShapeOf(new TensorSpec("x", TensorDataType.Float32, [-1, -1, 3]), 8));
        Assert.Equal([8L], RequestGenerator.ShapeOf(new TensorSpec("x", TensorDataType.Float32, null), 8));
        Assert.Equal([2L, 5], RequestGenerator.ShapeOf(new TensorSpec("x", TensorDataType.Float32, [2, 5]), 8));
    }

    [Fact]
    public void ShapeOfGivesIdBagsTheRequestedOrTheFeaturesWidth()
    {
        var sparse = new TensorSpec("cat", TensorDataType.Int64, [-1, -1]) { Sparse = new SparseIdsSpec("cat", 4) };
        Assert.Equal([8L, 4], RequestGenerator.ShapeOf(sparse, 8));
        Assert.Equal([8L, 2], RequestGenerator.ShapeOf(sparse, 8, bag: 2));
        Assert.Equal([8L, 3], RequestGenerator.ShapeOf(new TensorSpec("ids", TensorDataType.Int64, [-1, -1]), 8, bag: 3));
        // Floats keep 1 in their dynamic dimensions whatever the bag.
        Assert.Equal([8L, 1], RequestGenerator.ShapeOf(new TensorSpec("x", TensorDataType.Float32, [-1, -1]), 8, bag: 3));
    }
}
