using RecServe.Core.Tensors;
using RecServe.Runtime.Batching;
using RecServe.Runtime.Bundles;
using RecServe.Runtime.Onnx;

namespace RecServe.Runtime.Tests.Bundles;

/// <summary>Batching a bundle: requests in different sparse layouts and widths merge into one batch and get their own answers.</summary>
public sealed class BundleBatchingTests : IDisposable
{
    private readonly TestBundle _bundle = new(BundleModelTests.DenseGraph, pooling: "mean");
    private readonly BundleModel _direct;

    public BundleBatchingTests() => _direct = BundleModel.Load(_bundle.VersionPath, new OnnxModelOptions());

    public void Dispose()
    {
        _direct.Dispose();
        _bundle.Dispose();
    }

    /// <summary>Records batches; the batcher reports a batch after its requests complete, so tests wait for the report.</summary>
    private sealed class RecordingObserver : IBatchObserver
    {
        private readonly List<(int Rows, int Padded, int Requests)> _batches = [];
        private readonly SemaphoreSlim _reported = new(0);

        public async Task<List<(int Rows, int Padded, int Requests)>> BatchesAsync(int count)
        {
            for (var i = 0; i < count; i++)
            {
                Assert.True(await _reported.WaitAsync(TimeSpan.FromSeconds(30)), $"only {i} of {count} batches were reported");
            }
            lock (_batches)
            {
                return [.. _batches];
            }
        }

        public void OnBatch(int rows, int paddedRows, int requests, double seconds)
        {
            lock (_batches)
            {
                _batches.Add((rows, paddedRows, requests));
            }
            _reported.Release();
        }

        public void OnQueueWait(double seconds)
        {
        }

        public void OnQueueDepth(long rows)
        {
        }
    }

    private BatchingModel Batching(BatchingOptions options, IBatchObserver observer) =>
        new(BundleModel.Load(_bundle.VersionPath, new OnnxModelOptions()), options, observer);

    private void AssertSameAsDirect(Dictionary<string, Tensor> request, TensorSet batched)
    {
        using var direct = _direct.Predict(request, []);
        BundleReference.AssertClose(direct.Find("score")!.AsSpan<float>().ToArray(), batched.Find("score")!.AsSpan<float>());
    }

    [Fact]
    public async Task PaddedBagsOfDifferentWidthsAndRaggedBagsShareABatch()
    {
        var observer = new RecordingObserver();
        // The batch closes when it is full (10 rows), long before the timeout.
        using var model = Batching(new BatchingOptions { MaxBatchSize = 10, BatchTimeoutMicros = 30_000_000, NumBatchThreads = 1, AllowedBatchSizes = [4, 10] }, observer);
        long[][] a1 = [[TestBundle.IdA(1), TestBundle.IdA(2)], [], [TestBundle.IdA(3)]];
        long[][] b1 = [[TestBundle.IdB(1)], [TestBundle.IdB(2), TestBundle.IdB(3)], []];
        long[][] a2 = [[TestBundle.IdA(4), TestBundle.IdA(5), TestBundle.IdA(6), 31337], [TestBundle.IdA(7)], [TestBundle.IdA(8), TestBundle.IdA(9)]];
        long[][] b2 = [[TestBundle.IdB(4)], [TestBundle.IdB(5)], [TestBundle.IdB(6)]];
        long[][] a3 = [[TestBundle.IdA(10)], [TestBundle.IdA(11), TestBundle.IdA(12), TestBundle.IdA(13)], [], [TestBundle.IdA(14)]];
        long[][] b3 = [[TestBundle.IdB(7), TestBundle.IdB(8), TestBundle.IdB(9)], [], [TestBundle.IdB(10)], [4242]];
        var requests = new[]
        {
            BundleRequests.PaddedRequest(a1, b1, seed: 1),
            new Dictionary<string, Tensor> { ["dense"] = BundleRequests.Dense(3, seed: 2), ["a"] = BundleRequests.Padded(a2, 4), ["b"] = BundleRequests.OnePerRow(b2) },
            BundleRequests.RaggedRequest(a3, b3, seed: 3),
        };
        try
        {
            var tasks = new Task<TensorSet>[requests.Length];
            for (var i = 0; i < requests.Length; i++)
            {
                tasks[i] = model.PredictAsync(requests[i], [], CancellationToken.None).AsTask();
            }
            var results = await Task.WhenAll(tasks);

            var batch = Assert.Single(await observer.BatchesAsync(1));
            Assert.Equal((10, 10, 3), batch);
            for (var i = 0; i < requests.Length; i++)
            {
                using var result = results[i];
                AssertSameAsDirect(requests[i], result);
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
    public async Task PaddingRowsOfAnAllowedBatchSizeAreEmptyBags()
    {
        var observer = new RecordingObserver();
        using var model = Batching(new BatchingOptions { MaxBatchSize = 8, BatchTimeoutMicros = 1000, NumBatchThreads = 1, AllowedBatchSizes = [4, 8] }, observer);
        long[][] a = [[TestBundle.IdA(1), TestBundle.IdA(2)], [TestBundle.IdA(3)], [TestBundle.IdA(4), TestBundle.IdA(5), TestBundle.IdA(6)]];
        long[][] b = [[TestBundle.IdB(1)], [], [TestBundle.IdB(2), TestBundle.IdB(3)]];
        var request = BundleRequests.RaggedRequest(a, b);
        try
        {
            using var result = await model.PredictAsync(request, [], CancellationToken.None);

            Assert.Equal((3, 4, 1), Assert.Single(await observer.BatchesAsync(1)));
            Assert.Equal([3L, 2L], result.Find("score")!.Shape);
            AssertSameAsDirect(request, result);
        }
        finally
        {
            BundleRequests.DisposeAll(request);
        }
    }

    [Fact]
    public async Task LargeRaggedRequestIsSplitAtItsBagBoundaries()
    {
        var observer = new RecordingObserver();
        using var model = Batching(new BatchingOptions { MaxBatchSize = 2, BatchTimeoutMicros = 1000, NumBatchThreads = 1 }, observer);
        long[][] a = [[TestBundle.IdA(1)], [TestBundle.IdA(2), TestBundle.IdA(3)], [], [TestBundle.IdA(4), TestBundle.IdA(5), TestBundle.IdA(6), TestBundle.IdA(7)], [TestBundle.IdA(8)]];
        long[][] b = [[], [TestBundle.IdB(1), TestBundle.IdB(2), TestBundle.IdB(3)], [TestBundle.IdB(4)], [], [TestBundle.IdB(5)]];
        var request = BundleRequests.RaggedRequest(a, b, int64Lengths: true);
        try
        {
            using var result = await model.PredictAsync(request, [], CancellationToken.None);

            Assert.Equal([2, 2, 1], (await observer.BatchesAsync(3)).Select(b => b.Rows).Order().Reverse());
            Assert.Equal([5L, 2L], result.Find("score")!.Shape);
            AssertSameAsDirect(request, result);
        }
        finally
        {
            BundleRequests.DisposeAll(request);
        }
    }
}
