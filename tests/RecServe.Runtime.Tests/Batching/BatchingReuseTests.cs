using RecServe.Core.Errors;
using RecServe.Core.Tensors;
using RecServe.Runtime.Batching;

namespace RecServe.Runtime.Tests.Batching;

/// <summary>
/// The batcher keeps its queue items and the result sets it splits into between requests: each request still gets its
/// own rows, a result the caller still holds is never overwritten, and a cancelled request's item is not reused while
/// it sits in the queue.
/// </summary>
public sealed class BatchingReuseTests
{
    private static Dictionary<string, Tensor> Row(float value) =>
        new() { ["x"] = Tensor.FromValues<float>(TensorDataType.Float32, [1, 2], [value, value + 0.5f]) };

    private static float[] Doubled(float value) => [value * 2, (value + 0.5f) * 2];

    private static BatchingModel Batcher(FakeBatchModel fake) =>
        new(fake, new BatchingOptions { MaxBatchSize = 4, NumBatchThreads = 1, BatchTimeoutMicros = 10_000_000 });

    // Four batch-1 requests fill one batch of 4, which runs as soon as the last is queued.
    private static async Task<TensorSet[]> RoundAsync(BatchingModel model, int round)
    {
        var tasks = new Task<TensorSet>[4];
        for (var r = 0; r < tasks.Length; r++)
        {
            tasks[r] = model.PredictAsync(Row(10 * round + r), [], CancellationToken.None).AsTask();
        }
        return await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task ResultSetsComeBackForLaterRequestsAndEachRequestGetsItsOwnRows()
    {
        var fake = new FakeBatchModel();
        using var model = Batcher(fake);
        var earlierSets = new List<TensorSet>();
        for (var round = 0; round < 5; round++)
        {
            var results = await RoundAsync(model, round);
            for (var r = 0; r < results.Length; r++)
            {
                Assert.Equal(Doubled(10 * round + r), results[r].Find("y")!.AsSpan<float>().ToArray());
                Assert.Equal([4L], results[r].Find("rows")!.AsSpan<long>().ToArray());
                if (round > 0)
                {
                    // Every set of the last round went back to the pool, which has room for them all.
                    Assert.Contains(results[r], earlierSets);
                }
            }
            earlierSets.Clear();
            foreach (var result in results)
            {
                earlierSets.Add(result);
                result.Dispose();
            }
        }
        Assert.All(fake.BatchRows, rows => Assert.Equal(4L, rows));
    }

    [Fact]
    public async Task AResultTheCallerStillHoldsIsNotOverwrittenByLaterRequests()
    {
        var fake = new FakeBatchModel();
        using var model = Batcher(fake);
        var kept = await RoundAsync(model, 1);
        for (var round = 2; round < 5; round++)
        {
            foreach (var result in await RoundAsync(model, round))
            {
                result.Dispose();
            }
        }

        for (var r = 0; r < kept.Length; r++)
        {
            Assert.Equal(Doubled(10 + r), kept[r].Find("y")!.AsSpan<float>().ToArray());
            kept[r].Dispose();
        }
    }

    [Fact]
    public async Task ACancelledRequestStillQueuedKeepsItsItemFromTheNextRequest()
    {
        var fake = new FakeBatchModel(holdFirst: true);
        using var model = new BatchingModel(fake, new BatchingOptions { MaxBatchSize = 8, NumBatchThreads = 1, BatchTimeoutMicros = 0 });
        var running = model.PredictAsync(Row(1), [], CancellationToken.None).AsTask();
        await fake.FirstCallEntered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        using var deadline = new CancellationTokenSource();
        var cancelled = model.PredictAsync(Row(42), [], deadline.Token).AsTask();
        deadline.Cancel();
        // The caller has its error (so its hold on the item ended) while the item is still in the queue.
        var error = await Assert.ThrowsAsync<ServingException>(() => cancelled);
        Assert.Equal(ServingErrorCode.DeadlineExceeded, error.Code);

        var next = model.PredictAsync(Row(7), [], CancellationToken.None).AsTask();
        fake.Release();
        await Task.WhenAll(running, next).WaitAsync(TimeSpan.FromSeconds(10));

        using var nextResult = await next;
        Assert.Equal(Doubled(7), nextResult.Find("y")!.AsSpan<float>().ToArray());
        // Had the queued item been handed to the next request, the batch would hold that request twice.
        Assert.Equal([1L, 1L], fake.BatchRows);
        Assert.DoesNotContain(fake.BatchInputs, input => input.Contains(42f));
    }

    [Fact]
    public async Task DisposingWhileABatchRunsFailsTheQueuedRequestAndWaitsForTheRunningOne()
    {
        var fake = new FakeBatchModel(holdFirst: true);
        var model = new BatchingModel(fake, new BatchingOptions { MaxBatchSize = 4, NumBatchThreads = 1, BatchTimeoutMicros = 10_000_000 });
        // A full batch that runs at once and holds the only slot, so the scheduler waits for a slot, not for requests.
        var running = model.PredictAsync(Rows4(), [], CancellationToken.None).AsTask();
        await fake.FirstCallEntered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var queued = model.PredictAsync(Row(5), [], CancellationToken.None).AsTask();

        var disposing = Task.Run(model.Dispose);
        var error = await Assert.ThrowsAsync<ServingException>(() => queued.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(ServingErrorCode.Unavailable, error.Code);
        // The running batch still holds its slot: the model must not go away under it.
        Assert.False(fake.Disposed);
        fake.Release();
        await disposing.WaitAsync(TimeSpan.FromSeconds(10));

        using var result = await running;
        Assert.Equal(Doubled(1).Concat(Doubled(2)).Concat(Doubled(3)).Concat(Doubled(4)), result.Find("y")!.AsSpan<float>().ToArray());
        Assert.True(fake.Disposed);
        Assert.Equal([4L], fake.BatchRows);
    }

    [Fact]
    public async Task UnderConcurrentAndCancelledRequestsEveryAnsweredRequestGetsItsOwnRows()
    {
        var fake = new FakeBatchModel();
        using var model = new BatchingModel(fake, new BatchingOptions { MaxBatchSize = 8, NumBatchThreads = 2, BatchTimeoutMicros = 200 });
        var random = new Random(5);
        for (var round = 0; round < 40; round++)
        {
            var tasks = new Task<TensorSet>[24];
            var sources = new CancellationTokenSource[tasks.Length];
            for (var r = 0; r < tasks.Length; r++)
            {
                sources[r] = new CancellationTokenSource();
                var value = 1000 * round + r;
                var token = sources[r].Token;
                tasks[r] = Task.Run(() => model.PredictAsync(Row(value), [], token).AsTask());
                if (random.Next(3) == 0)
                {
                    // Cancelled at some point while queued, batched or done: whichever it is, no other request's answer changes.
                    sources[r].Cancel();
                }
            }
            for (var r = 0; r < tasks.Length; r++)
            {
                try
                {
                    using var result = await tasks[r].WaitAsync(TimeSpan.FromSeconds(10));
                    Assert.Equal(Doubled(1000 * round + r), result.Find("y")!.AsSpan<float>().ToArray());
                }
                catch (OperationCanceledException) when (sources[r].IsCancellationRequested)
                {
                    // Cancelled before it was queued.
                }
                catch (ServingException e) when (sources[r].IsCancellationRequested)
                {
                    Assert.Equal(ServingErrorCode.DeadlineExceeded, e.Code);
                }
                sources[r].Dispose();
            }
        }
        Assert.All(fake.BatchInputs, input => Assert.True(input.Length <= 16));
    }

    private static Dictionary<string, Tensor> Rows4() =>
        new() { ["x"] = Tensor.FromValues<float>(TensorDataType.Float32, [4, 2], [1, 1.5f, 2, 2.5f, 3, 3.5f, 4, 4.5f]) };
}
