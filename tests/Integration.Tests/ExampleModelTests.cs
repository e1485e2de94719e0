using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tensorflow.Serving;

namespace Integration.Tests;

/// <summary>The example DLRM model answers the recorded requests as PyTorch did, over every API and encoding.</summary>
public sealed class ExampleModelTests : IAsyncLifetime
{
    private ServerProcess _server = null!;

    internal static readonly string[] CategoricalInputs = ["cat_0", "cat_1", "cat_2", "cat_3"];

    public async Task InitializeAsync() =>
        _server = await ServerProcess.StartAsync("--model_name", "dlrm", "--model_base_path", RepoPaths.ExampleModel);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    /// <summary>One recorded request of examples/dlrm_requests.json and PyTorch's probabilities for it.</summary>
    internal sealed record Sample(JsonObject Inputs, double[] Expected, int Batch);

    /// <summary>The recorded requests and answers.</summary>
    internal static List<Sample> Samples()
    {
        var list = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "examples", "dlrm_requests.json")))!.AsArray();
        Assert.NotEmpty(list);
        return list.Select(node =>
        {
            var inputs = node!["inputs"]!.AsObject();
            var expected = node["probability"]!.AsArray().Select(row => row![0]!.GetValue<double>()).ToArray();
            return new Sample(inputs, expected, expected.Length);
        }).ToList();
    }

    internal static float[] Dense(Sample s) => s.Inputs["dense"]!.AsArray().SelectMany(r => r!.AsArray().Select(v => v!.GetValue<float>())).ToArray();

    internal static long[] Ids(Sample s, string name) => s.Inputs[name]!.AsArray().SelectMany(r => r!.AsArray().Select(v => v!.GetValue<long>())).ToArray();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task GrpcPredictMatchesPyTorch(bool tensorContent)
    {
        foreach (var sample in Samples())
        {
            var request = new PredictRequest { ModelSpec = new ModelSpec { Name = "dlrm" } };
            request.Inputs["dense"] = Protos.Floats(Dense(sample), [sample.Batch, 13], tensorContent);
            foreach (var name in CategoricalInputs)
            {
                request.Inputs[name] = Protos.Int64s(Ids(sample, name), [sample.Batch, 4], tensorContent);
            }
            var response = await _server.Predictions.PredictAsync(request);
            var output = response.Outputs["probability"];
            Assert.Equal([sample.Batch, 1], Protos.ShapeOf(output));
            Assert.Equal(tensorContent, !output.TensorContent.IsEmpty);
            AssertClose(sample.Expected, Protos.Values(output), 1e-5);
            Assert.Equal(1, response.ModelSpec.Version);
        }
    }

    [Fact]
    public async Task RestColumnarPredictMatchesPyTorch()
    {
        foreach (var sample in Samples())
        {
            var body = new JsonObject { ["inputs"] = sample.Inputs.DeepClone() };
            using var response = await _server.Http.PostAsync("/v1/models/dlrm:predict", JsonContent.Create(body));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, text);
            var outputs = JsonNode.Parse(text)!["outputs"]!.AsArray();
            AssertClose(sample.Expected, outputs.Select(r => r![0]!.GetValue<double>()).ToArray(), 1e-5);
        }
    }

    [Fact]
    public async Task RestRowPredictMatchesPyTorch()
    {
        foreach (var sample in Samples())
        {
            var instances = new JsonArray();
            for (var row = 0; row < sample.Batch; row++)
            {
                var instance = new JsonObject();
                foreach (var (name, value) in sample.Inputs)
                {
                    instance[name] = value!.AsArray()[row]!.DeepClone();
                }
                instances.Add(instance);
            }
            using var response = await _server.Http.PostAsync("/v1/models/dlrm/versions/1:predict", JsonContent.Create(new JsonObject { ["instances"] = instances }));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, text);
            var predictions = JsonNode.Parse(text)!["predictions"]!.AsArray();
            Assert.Equal(sample.Batch, predictions.Count);
            AssertClose(sample.Expected, predictions.Select(r => r![0]!.GetValue<double>()).ToArray(), 1e-5);
        }
    }

    internal static void AssertClose(double[] expected, double[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"element {i}: expected {expected[i]}, got {actual[i]}");
        }
    }
}
