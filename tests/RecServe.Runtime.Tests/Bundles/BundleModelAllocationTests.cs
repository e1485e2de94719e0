using RecServe.Core.Tensors;
using RecServe.Runtime.Bundles;
using RecServe.Runtime.Onnx;

namespace RecServe.Runtime.Tests.Bundles;

/// <summary>What a warmed bundle call allocates (issue #5: nothing), and that reused buffers keep answers right.</summary>
public sealed class BundleModelAllocationTests
{
    [Theory]
    [InlineData("sum")]
    [InlineData("mean")]
    public void AWarmedCallOnPaddedIdsAllocatesNothing(string pooling)
    {
        using var bundle = new TestBundle(BundleModelTests.DenseGraph, pooling: pooling);
        using var model = BundleModel.Load(bundle.VersionPath, new OnnxModelOptions());
        var inputs = BundleRequests.PaddedRequest(BundleModelTests.BagsA, BundleModelTests.BagsB);
        IReadOnlyList<string> all = [];
        try
        {
            for (var i = 0; i < 3; i++)
            {
                model.Predict(inputs, all).Dispose();
            }

            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 50; i++)
            {
                model.Predict(inputs, all).Dispose();
            }
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            Assert.Equal(0, allocated);
        }
        finally
        {
            BundleRequests.DisposeAll(inputs);
        }
    }

    [Fact]
    public void ReusedBuffersGiveEachRequestItsOwnAnswer()
    {
        using var bundle = new TestBundle(BundleModelTests.DenseGraph);
        using var model = BundleModel.Load(bundle.VersionPath, new OnnxModelOptions());
        long[][] otherA = [[TestBundle.IdA(4)], [], [TestBundle.IdA(9), TestBundle.IdA(11)], [TestBundle.IdA(2)]];
        long[][] otherB = [[TestBundle.IdB(3)], [TestBundle.IdB(6)], [TestBundle.IdB(1), TestBundle.IdB(2)], []];
        var first = BundleRequests.PaddedRequest(BundleModelTests.BagsA, BundleModelTests.BagsB);
        var second = BundleRequests.PaddedRequest(otherA, otherB, seed: 6);
        var shorter = BundleRequests.PaddedRequest(otherA[..2], otherB[..2], seed: 7);
        try
        {
            var expectedFirst = BundleReference.Score(bundle, first["dense"], BundleModelTests.BagsA, BundleModelTests.BagsB, "sum");
            var expectedSecond = BundleReference.Score(bundle, second["dense"], otherA, otherB, "sum");
            var expectedShorter = BundleReference.Score(bundle, shorter["dense"], otherA[..2], otherB[..2], "sum");

            for (var round = 0; round < 3; round++)
            {
                using var a = model.Predict(first, []);
                using var b = model.Predict(second, []);
                using (var c = model.Predict(shorter, []))
                {
                    BundleReference.AssertClose(expectedShorter, c.Items[0].Tensor.AsSpan<float>());
                }
                BundleReference.AssertClose(expectedFirst, a.Items[0].Tensor.AsSpan<float>());
                BundleReference.AssertClose(expectedSecond, b.Items[0].Tensor.AsSpan<float>());
            }
        }
        finally
        {
            BundleRequests.DisposeAll(first);
            BundleRequests.DisposeAll(second);
            BundleRequests.DisposeAll(shorter);
        }
    }
}
