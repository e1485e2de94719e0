using System.Text.Json.Nodes;
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
        var sample = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "examples", "dlrm_requests.json")))!.AsArray()[0]!;
        var inputs = sample["inputs"]!.AsObject();
        var expected = sample["probability"]!.AsArray().Select(row => row![0]!.GetValue<double>()).ToArray();
        var batch = expected.Length;
        var request = new PredictRequest { ModelSpec = new ModelSpec { Name = "dlrm" } };
        request.Inputs["dense"] = Protos.Floats(inputs["dense"]!.AsArray().SelectMany(r => r!.AsArray().Select(v => v!.GetValue<float>())).ToArray(), [batch, 13], true);
        foreach (var name in new[] { "cat_0", "cat_1", "cat_2", "cat_3" })
        {
            request.Inputs[name] = Protos.Int64s(inputs[name]!.AsArray().SelectMany(r => r!.AsArray().Select(v => v!.GetValue<long>())).ToArray(), [batch, 4], true);
        }

        var answers = await Task.WhenAll(Enumerable.Range(0, 32).Select(async _ => await _server.Predictions.PredictAsync(request)));

        Assert.All(answers, response =>
        {
            var values = Protos.Values(response.Outputs["probability"]);
            Assert.Equal(expected.Length, values.Length);
            for (var i = 0; i < values.Length; i++)
            {
                Assert.True(Math.Abs(expected[i] - values[i]) <= 1e-5, $"row {i}: {values[i]} vs PyTorch {expected[i]}");
            }
        });
    }
}
