using Grpc.Core;
using RecServe.Core.Errors;
using RecServe.Server.Serving;
using Tensorflow.Serving;
using Xunit;

namespace Integration.Tests;

public sealed class RequestLimitTests
{
    [Fact]
    public void ConcurrencyLimiterRefusesOneMoreThanItsLimitPerModelAndFreesPlaces()
    {
        var limiter = new ModelConcurrencyLimiter(2);
        using (limiter.Enter("a"))
        using (limiter.Enter("a"))
        {
            var refused = Assert.Throws<ServingException>(() => limiter.Enter("a"));
            Assert.Equal(ServingErrorCode.ResourceExhausted, refused.Code);
            Assert.Contains("--max_concurrent_requests_per_model", refused.Message, StringComparison.Ordinal);
            Assert.Equal(2, limiter.InFlight("a"));
            // Another model has places of its own.
            using var other = limiter.Enter("b");
            Assert.Equal(1, limiter.InFlight("b"));
        }
        Assert.Equal(0, limiter.InFlight("a"));
        using var again = limiter.Enter("a");
        Assert.Equal(1, limiter.InFlight("a"));
    }

    [Fact]
    public void UnlimitedLimiterCountsNothing()
    {
        var limiter = new ModelConcurrencyLimiter(0);
        for (var i = 0; i < 100; i++)
        {
            _ = limiter.Enter("a");
        }
        Assert.Equal(0, limiter.InFlight("a"));
    }

    [Fact]
    public async Task RequestsOverMaxBatchRowsAreInvalidAndSmallerOnesServed()
    {
        await using var server = await ServerProcess.StartAsync(
            "--model_name", "mlp", "--model_base_path", RepoPaths.Fixture("mlp_opset13"), "--max_batch_rows", "2");
        PredictRequest Rows(int rows)
        {
            var request = new PredictRequest { ModelSpec = new ModelSpec { Name = "mlp" } };
            request.Inputs["x"] = Protos.Floats(new float[rows * 8], [rows, 8], content: true);
            return request;
        }

        var error = await Assert.ThrowsAsync<RpcException>(async () => await server.Predictions.PredictAsync(Rows(3)));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("--max_batch_rows", error.Status.Detail, StringComparison.Ordinal);

        var response = await server.Predictions.PredictAsync(Rows(2));
        Assert.Equal([2L, 3L], Protos.ShapeOf(response.Outputs["y"]));
    }
}
