using RecServe.Core.Signatures;
using RecServe.Core.Tensors;
using RecServe.Runtime.Bundles;
using RecServe.Runtime.Onnx;

namespace RecServe.Runtime.Tests.Bundles;

public sealed class BundleModelTests
{
    internal static string DenseGraph => Path.Combine(FixtureModels.Root, "tests", "fixtures", "bundle_dense", "dense.onnx");

    internal static readonly long[][] BagsA = [[TestBundle.IdA(0), TestBundle.IdA(3)], [TestBundle.IdA(7)], [], [TestBundle.IdA(1), 424242, TestBundle.IdA(2), TestBundle.IdA(49)]];
    internal static readonly long[][] BagsB = [[TestBundle.IdB(0)], [TestBundle.IdB(4), TestBundle.IdB(5), TestBundle.IdB(19)], [], [77777]];

    [Theory]
    [InlineData("fp32", "sum", 0)]
    [InlineData("fp32", "mean", 0)]
    [InlineData("fp16", "sum", 0)]
    [InlineData("fp16", "mean", 0)]
    [InlineData("int8", "sum", 0)]
    [InlineData("int8", "mean", 0)]
    [InlineData("fp32", "sum", 1 << 16)]
    [InlineData("int8", "mean", 1 << 16)]
    public void PredictsWhatLookupPoolingAndTheDenseGraphGiveAlone(string dtype, string pooling, long cacheBytes)
    {
        using var bundle = new TestBundle(DenseGraph, dtype, pooling, cacheBytes);
        using var model = BundleModel.Load(bundle.VersionPath, new OnnxModelOptions());
        var inputs = BundleRequests.PaddedRequest(BagsA, BagsB);
        try
        {
            var expected = BundleReference.Score(bundle, inputs["dense"], BagsA, BagsB, pooling);

            using var outputs = model.Predict(inputs, []);

            var score = Assert.Single(outputs.Items);
            Assert.Equal("score", score.Name);
            Assert.Equal([4L, 2L], score.Tensor.Shape);
            BundleReference.AssertClose(expected, score.Tensor.AsSpan<float>());
        }
        finally
        {
            BundleRequests.DisposeAll(inputs);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1 << 16)]
    public void SameIdsGiveTheSameAnswerInEveryLayout(long cacheBytes)
    {
        using var bundle = new TestBundle(DenseGraph, cacheBytes: cacheBytes);
        using var model = BundleModel.Load(bundle.VersionPath, new OnnxModelOptions());
        long[][] singleA = [[TestBundle.IdA(0)], [TestBundle.IdA(5)], [888], [TestBundle.IdA(9)]];
        long[][] singleB = [[TestBundle.IdB(1)], [999], [TestBundle.IdB(2)], [TestBundle.IdB(3)]];
        var requests = new[]
        {
            new Dictionary<string, Tensor> { ["dense"] = BundleRequests.Dense(4), ["a"] = BundleRequests.OnePerRow(singleA), ["b"] = BundleRequests.OnePerRow(singleB) },
            new Dictionary<string, Tensor> { ["dense"] = BundleRequests.Dense(4), ["a"] = BundleRequests.Padded(singleA, 4), ["b"] = BundleRequests.Padded(singleB, 3) },
            BundleRequests.RaggedRequest(singleA, singleB),
            BundleRequests.RaggedRequest(singleA, singleB, int64Lengths: true),
        };
        try
        {
            var expected = BundleReference.Score(bundle, requests[0]["dense"], singleA, singleB, "sum");
            foreach (var request in requests)
            {
                using var outputs = model.Predict(request, []);
                BundleReference.AssertClose(expected, outputs.Find("score")!.AsSpan<float>());
            }

            // Bags of several ids: padded and ragged (int32 and int64 lengths) agree with the reference too.
            var padded = BundleRequests.PaddedRequest(BagsA, BagsB);
            var ragged = BundleRequests.RaggedRequest(BagsA, BagsB);
            var ragged64 = BundleRequests.RaggedRequest(BagsA, BagsB, int64Lengths: true);
            try
            {
                var bags = BundleReference.Score(bundle, padded["dense"], BagsA, BagsB, "sum");
                foreach (var request in new[] { padded, ragged, ragged64 })
                {
                    using var outputs = model.Predict(request, []);
                    BundleReference.AssertClose(bags, outputs.Find("score")!.AsSpan<float>());
                }
            }
            finally
            {
                BundleRequests.DisposeAll(padded);
                BundleRequests.DisposeAll(ragged);
                BundleRequests.DisposeAll(ragged64);
            }
        }
        finally
        {
            foreach (var request in requests)
            {
                BundleRequests.DisposeAll(request);
            }
        }
    }

    [Fact]
    public void UnknownIdsGetTheDefaultRowAndAreCountedAsMisses()
    {
        using var bundle = new TestBundle(DenseGraph, defaultRowA: [1f, 2f, 3f]);
        using var model = BundleModel.Load(bundle.VersionPath, new OnnxModelOptions());
        long[][] bagsA = [[123456789], [TestBundle.IdA(2), 55]];
        long[][] bagsB = [[TestBundle.IdB(0)], [1]];
        var inputs = BundleRequests.PaddedRequest(bagsA, bagsB);
        try
        {
            var expected = BundleReference.Score(bundle, inputs["dense"], bagsA, bagsB, "sum");
            var zeroDefault = ScoreWithZeroDefault(bundle, inputs["dense"], bagsA, bagsB);

            using var outputs = model.Predict(inputs, []);

            BundleReference.AssertClose(expected, outputs.Find("score")!.AsSpan<float>());
            Assert.NotEqual(zeroDefault, outputs.Find("score")!.AsSpan<float>().ToArray());
            var ta = Assert.Single(model.TableMetrics, m => m.Table == "ta");
            Assert.Equal(TableTierMetrics.LocalTier, ta.Tier);
            Assert.Equal(3, ta.Metrics.Lookups);
            Assert.Equal(2, ta.Metrics.Misses);
            var tb = Assert.Single(model.TableMetrics, m => m.Table == "tb");
            Assert.Equal(2, tb.Metrics.Lookups);
            Assert.Equal(1, tb.Metrics.Misses);
            Assert.True(tb.Metrics.ResidentBytes > 0);
        }
        finally
        {
            BundleRequests.DisposeAll(inputs);
        }
    }

    private static float[] ScoreWithZeroDefault(TestBundle bundle, Tensor dense, long[][] bagsA, long[][] bagsB)
    {
        using var plain = new TestBundle(DenseGraph);
        return BundleReference.Score(plain, dense, bagsA, bagsB, "sum");
    }

    [Fact]
    public void CacheTierCountsHitsOnRepeatedIds()
    {
        using var bundle = new TestBundle(DenseGraph, cacheBytes: 1 << 16);
        using var model = BundleModel.Load(bundle.VersionPath, new OnnxModelOptions());
        for (var i = 0; i < 20; i++)
        {
            var inputs = BundleRequests.PaddedRequest(BagsA, BagsB);
            try
            {
                model.Predict(inputs, []).Dispose();
            }
            finally
            {
                BundleRequests.DisposeAll(inputs);
            }
        }

        var cache = Assert.Single(model.TableMetrics, m => m.Table == "ta" && m.Tier == TableTierMetrics.CacheTier);
        var table = Assert.Single(model.TableMetrics, m => m.Table == "ta" && m.Tier == TableTierMetrics.LocalTier);
        Assert.Equal(20 * 7, cache.Metrics.Lookups);
        Assert.True(cache.Metrics.Hits > 0, "repeated ids should be served from the cache");
        Assert.Equal(cache.Metrics.Misses, table.Metrics.Lookups);
        Assert.True(table.Metrics.Misses >= 1, "the unknown id reaches the table and misses there");
    }

    [Fact]
    public void PoolingNoneGivesTheGraphOneRowPerIdSlot()
    {
        using var bundle = new TestBundle(DenseGraph);
        using var model = BundleModel.Load(bundle.VersionPath, new OnnxModelOptions());
        // Width 3 with one real id, and the same id alone: the graph sums b.pooled over L and counts ids >= 0,
        // so padding must give zero rows and -1 ids for the two answers to agree.
        long[][] bagsA = [[TestBundle.IdA(4)]];
        var wide = new Dictionary<string, Tensor>
        {
            ["dense"] = BundleRequests.Dense(1), ["a"] = BundleRequests.Padded(bagsA, 1),
            ["b"] = Tensor.FromValues<long>(TensorDataType.Int64, [1, 3], [-1, TestBundle.IdB(6), -1]),
        };
        var narrow = new Dictionary<string, Tensor>
        {
            ["dense"] = BundleRequests.Dense(1), ["a"] = BundleRequests.Padded(bagsA, 1), ["b"] = BundleRequests.Padded([[TestBundle.IdB(6)]], 1),
        };
        try
        {
            using var a = model.Predict(wide, []);
            using var b = model.Predict(narrow, []);
            BundleReference.AssertClose(b.Find("score")!.AsSpan<float>().ToArray(), a.Find("score")!.AsSpan<float>());
        }
        finally
        {
            BundleRequests.DisposeAll(wide);
            BundleRequests.DisposeAll(narrow);
        }
    }

    [Fact]
    public void SignatureListsDenseInputsAndSparseFeaturesAsInt64()
    {
        using var bundle = new TestBundle(DenseGraph);
        using var model = ModelLoader.Load(bundle.VersionPath, new OnnxModelOptions());

        Assert.IsType<BundleModel>(model);
        Assert.True(ModelLoader.HasModel(bundle.VersionPath));
        Assert.Equal(["dense", "a", "b"], model.Signature.Inputs.Select(s => s.Name));
        var a = model.Signature.InputsByName["a"];
        Assert.Equal(TensorDataType.Int64, a.DataType);
        Assert.Equal([-1L, -1L], a.Shape!);
        Assert.Equal(4, a.Sparse!.MaxIdsPerRow);
        Assert.Null(model.Signature.InputsByName["dense"].Sparse);
        Assert.Equal("score", Assert.Single(model.Signature.Outputs).Name);
        Assert.False(model.Signature.InputsByName.ContainsKey("a.pooled"));
    }
}
