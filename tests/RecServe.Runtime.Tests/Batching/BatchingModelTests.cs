using RecServe.Core.Errors;
using RecServe.Core.Tensors;
using RecServe.Runtime.Batching;

namespace RecServe.Runtime.Tests.Batching;

public sealed class BatchingModelTests
{
    private static Dictionary<string, Tensor> Rows(params float[] firstValues)
    {
        // Row i holds (v, v + 0.5) so every row of every request is distinguishable.
        var values = new float[firstValues.Length * 2];
        for (var i = 0; i < firstValues.Length; i++)
        {
            values[2 * i] = firstValues[i];
            values[2 * i + 1] = firstValues[i] + 0.5f;
        }
        return new Dictionary<string, Tensor> { ["x"] = Tensor.FromValues<float>(TensorDataType.Float32, [firstValues.Length, 2], values) };
    }

    private static float[] Doubled(params float[] firstValues) => firstValues.SelectMany(v => new[] { v * 2, (v + 0.5f) * 2 }).ToArray();

    [Fact]
    public async Task ConcurrentRequestsAreMergedAndEachGetsItsOwnRowsInOrder()
    {
        var fake = new FakeBatchModel(holdFirst: true);
        using var model = new BatchingModel(fake, new BatchingOptions { MaxBatchSize = 6, NumBatchThreads = 1, BatchTimeoutMicros = 10_000_000 });
        // The blocker fills a batch by itself, so it runs at once and holds the only batch thread.
        var blocker = model.PredictAsync(Rows(100, 101, 102, 103, 104, 105), [], CancellationToken.None).AsTask();
        await fake.FirstCallEntered.Task.WaitAsync(TimeSpan.FromSeconds(10));

        // Queued behind the held batch: 1 + 2 + 3 rows fill one batch of 6 exactly.
        var a = model.PredictAsync(Rows(1), [], CancellationToken.None).AsTask();
        var b = model.PredictAsync(Rows(2, 3), [], CancellationToken.None).AsTask();
        var c = model.PredictAsync(Rows(4, 5, 6), ["y"], CancellationToken.None).AsTask();
        fake.Release();
        await Task.WhenAll(blocker, a, b, c).WaitAsync(TimeSpan.FromSeconds(10));
        var (resultA, resultB, resultC) = (await a, await b, await c);

        Assert.Equal([6L, 6L], fake.BatchRows);
        Assert.Equal(Doubled(1), resultA.Find("y")!.AsSpan<float>().ToArray());
        Assert.Equal(Doubled(2, 3), resultB.Find("y")!.AsSpan<float>().ToArray());
        Assert.Equal(Doubled(4, 5, 6), resultC.Find("y")!.AsSpan<float>().ToArray());
        // "rows" reports the size of the batch each row ran in: all six together.
        Assert.Equal([6L, 6L], resultB.Find("rows")!.AsSpan<long>().ToArray());
        // The output filter of one request does not leak into the others' answers.
        Assert.Null(resultC.Find("rows"));
        Assert.Single(resultC.Items);
    }

    [Fact]
    public async Task ABadRequestFailsAloneAndItsBatchMatesGetTheirAnswers()
    {
        var fake = new FakeBatchModel(holdFirst: true);
        using var model = new BatchingModel(fake, new BatchingOptions { MaxBatchSize = 6, NumBatchThreads = 1, BatchTimeoutMicros = 10_000_000 });
        var blocker = model.PredictAsync(Rows(100, 101, 102, 103, 104, 105), [], CancellationToken.None).AsTask();
        await fake.FirstCallEntered.Task.WaitAsync(TimeSpan.FromSeconds(10));

        // Queued behind the held batch, the three fill one batch of 6; the middle one carries data the engine refuses.
        var good1 = model.PredictAsync(Rows(1), [], CancellationToken.None).AsTask();
        var bad = model.PredictAsync(Rows(float.NegativeInfinity, 3), [], CancellationToken.None).AsTask();
        var good2 = model.PredictAsync(Rows(4, 5, 6), [], CancellationToken.None).AsTask();
        fake.Release();
        await blocker.WaitAsync(TimeSpan.FromSeconds(10));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => bad.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("-inf", error.Message, StringComparison.Ordinal);
        using var result1 = await good1.WaitAsync(TimeSpan.FromSeconds(10));
        using var result2 = await good2.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(Doubled(1), result1.Find("y")!.AsSpan<float>().ToArray());
        Assert.Equal(Doubled(4, 5, 6), result2.Find("y")!.AsSpan<float>().ToArray());
        // The blocker ran as one batch of 6; the merged 6 failed (not recorded), then each request ran alone.
        Assert.Equal([6L, 1L, 3L], fake.BatchRows);
    }

    [Fact]
    public async Task AnUnavailableStoreFailsTheWholeBatchOnceWithoutRunningEachRequestAgain()
    {
        var fake = new FakeBatchModel(holdFirst: true);
        using var model = new BatchingModel(fake, new BatchingOptions { MaxBatchSize = 6, NumBatchThreads = 1, BatchTimeoutMicros = 10_000_000 });
        var blocker = model.PredictAsync(Rows(100, 101, 102, 103, 104, 105), [], CancellationToken.None).AsTask();
        await fake.FirstCallEntered.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var requests = new[]
        {
            model.PredictAsync(Rows(1), [], CancellationToken.None).AsTask(),
            model.PredictAsync(Rows(float.PositiveInfinity, 3), [], CancellationToken.None).AsTask(),
            model.PredictAsync(Rows(4, 5, 6), [], CancellationToken.None).AsTask(),
        };
        fake.Release();
        await blocker.WaitAsync(TimeSpan.FromSeconds(10));

        foreach (var request in requests)
        {
            var error = await Assert.ThrowsAsync<ServingException>(() => request.WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.Equal(ServingErrorCode.Unavailable, error.Code);
        }
        // One merged run met the outage; a rerun per request would have waited out a shard's timeout three more times.
        Assert.Equal(1, fake.UnavailableCalls);
    }

    [Fact]
    public async Task LargeRequestsAreSplitAndReassembledInOrder()
    {
        var fake = new FakeBatchModel();
        using var model = new BatchingModel(fake, new BatchingOptions { MaxBatchSize = 4, NumBatchThreads = 1, BatchTimeoutMicros = 0 });
        var values = Enumerable.Range(0, 10).Select(i => (float)i).ToArray();
        using var result = await model.PredictAsync(Rows(values), [], CancellationToken.None);

        Assert.Equal(Doubled(values), result.Find("y")!.AsSpan<float>().ToArray());
        Assert.Equal([10L, 2L], result.Find("y")!.Shape);
        Assert.All(fake.BatchRows, rows => Assert.True(rows <= 4));
        Assert.Equal(10L, fake.BatchRows.Sum());
    }

    [Fact]
    public async Task PaddingToAnAllowedSizeNeverLeaksPaddedRows()
    {
        var fake = new FakeBatchModel();
        using var model = new BatchingModel(fake, new BatchingOptions { MaxBatchSize = 8, AllowedBatchSizes = [4, 8], NumBatchThreads = 1, BatchTimeoutMicros = 0 });
        using var result = await model.PredictAsync(Rows(7, 8, 9), [], CancellationToken.None);

        Assert.Equal([4L], fake.BatchRows);
        Assert.Equal(Doubled(7, 8, 9), result.Find("y")!.AsSpan<float>().ToArray());
        Assert.Equal([3L, 2L], result.Find("y")!.Shape);
        // The padded row reached the model as zeros.
        Assert.Equal([7f, 7.5f, 8f, 8.5f, 9f, 9.5f, 0f, 0f], fake.BatchInputs[0]);
    }

    [Fact]
    public async Task AFullQueueRefusesAtOnceWithResourceExhausted()
    {
        var fake = new FakeBatchModel(holdFirst: true);
        using var model = new BatchingModel(fake, new BatchingOptions { MaxBatchSize = 2, MaxEnqueuedBatches = 1, NumBatchThreads = 1, BatchTimeoutMicros = 0 });
        var running = model.PredictAsync(Rows(1), [], CancellationToken.None).AsTask();
        await fake.FirstCallEntered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var queued = model.PredictAsync(Rows(2, 3), [], CancellationToken.None).AsTask();

        var error = await Assert.ThrowsAsync<ServingException>(async () => await model.PredictAsync(Rows(4), [], CancellationToken.None));
        Assert.Equal(ServingErrorCode.ResourceExhausted, error.Code);
        Assert.Contains("queue is full", error.Message);

        fake.Release();
        await Task.WhenAll(running, queued).WaitAsync(TimeSpan.FromSeconds(10));
        var queuedResult = await queued;
        Assert.Equal(Doubled(2, 3), queuedResult.Find("y")!.AsSpan<float>().ToArray());
    }

    [Fact]
    public async Task AnExpiredRequestIsNeverComputed()
    {
        var fake = new FakeBatchModel(holdFirst: true);
        using var model = new BatchingModel(fake, new BatchingOptions { MaxBatchSize = 8, NumBatchThreads = 1, BatchTimeoutMicros = 0 });
        var running = model.PredictAsync(Rows(1), [], CancellationToken.None).AsTask();
        await fake.FirstCallEntered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        using var deadline = new CancellationTokenSource();
        var expired = model.PredictAsync(Rows(42), [], deadline.Token).AsTask();
        var alive = model.PredictAsync(Rows(7), [], CancellationToken.None).AsTask();
        deadline.Cancel();

        var error = await Assert.ThrowsAsync<ServingException>(() => expired);
        Assert.Equal(ServingErrorCode.DeadlineExceeded, error.Code);
        fake.Release();
        await Task.WhenAll(running, alive).WaitAsync(TimeSpan.FromSeconds(10));
        var aliveResult = await alive;
        Assert.DoesNotContain(fake.BatchInputs, input => input.Contains(42f));
        Assert.Equal(Doubled(7), aliveResult.Find("y")!.AsSpan<float>().ToArray());
    }

    [Fact]
    public async Task ModelsWithoutADynamicBatchPassThrough()
    {
        var fake = new FakeBatchModel(dynamicBatch: false);
        using var model = new BatchingModel(fake, new BatchingOptions { MaxBatchSize = 4 });
        Assert.False(model.IsBatching);
        using var result = await model.PredictAsync(Rows(3), [], CancellationToken.None);
        Assert.Equal(Doubled(3), result.Find("y")!.AsSpan<float>().ToArray());
    }

    [Fact]
    public void DisposingUnloadsTheWrappedModel()
    {
        var fake = new FakeBatchModel();
        new BatchingModel(fake, new BatchingOptions()).Dispose();
        Assert.True(fake.Disposed);
    }
}
