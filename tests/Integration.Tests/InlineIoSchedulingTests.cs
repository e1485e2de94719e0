using Tensorflow.Serving;

namespace Integration.Tests;

/// <summary>
/// With <c>--inline_io_scheduling</c> (requests handled on Kestrel's I/O threads) the server answers as it does
/// otherwise: the recorded PyTorch outputs over gRPC, from many concurrent callers at once.
/// </summary>
public sealed class InlineIoSchedulingTests : IAsyncLifetime
{
    private ServerProcess _server = null!;

    public async Task InitializeAsync() =>
        _server = await ServerProcess.StartAsync("--model_name", "dlrm", "--model_base_path", RepoPaths.ExampleModel, "--inline_io_scheduling");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task ConcurrentGrpcPredictionsMatchPyTorch()
    {
        var sample = ExampleModelTests.Samples()[0];
        var request = new PredictRequest { ModelSpec = new ModelSpec { Name = "dlrm" } };
        request.Inputs["dense"] = Protos.Floats(ExampleModelTests.Dense(sample), [sample.Batch, 13], true);
        foreach (var name in ExampleModelTests.CategoricalInputs)
        {
            request.Inputs[name] = Protos.Int64s(ExampleModelTests.Ids(sample, name), [sample.Batch, 4], true);
        }
        var answers = await Task.WhenAll(Enumerable.Range(0, 32).Select(async _ => await _server.Predictions.PredictAsync(request)));

        Assert.All(answers, response => ExampleModelTests.AssertClose(sample.Expected, Protos.Values(response.Outputs["probability"]), 1e-5));
    }
}
