using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Grpc.Core;
using Inference;
using Microsoft.ML.OnnxRuntime.Tensors;
using RecServe.Core.Tensors;
using Tensor = RecServe.Core.Tensors.Tensor;
using RecServe.Runtime.Bundles;
using RecServe.Runtime.Onnx;
using RecServe.Runtime.Tests.Bundles;
using Tensorflow;
using Tensorflow.Serving;

namespace Integration.Tests;

/// <summary>
/// A bundle served by the real server (batching on) over every API: TF-Serving gRPC and REST, KServe v2 gRPC and
/// REST; answers equal the in-process BundleModel's (itself checked against a scalar reference in the unit tests).
/// </summary>
public sealed class BundleServingTests : IAsyncLifetime
{
    private const string Model = "bundle";
    private static readonly long[][] BagsA = [[TestBundle.IdA(0), TestBundle.IdA(1)], [], [TestBundle.IdA(2), 999999]];
    private static readonly long[][] BagsB = [[TestBundle.IdB(0)], [TestBundle.IdB(1), TestBundle.IdB(2)], []];
    private static readonly float[] Dense = [0.5f, -1f, 0.25f, 2f, 1f, 1f, -0.5f, 0f, -2f, 0.75f, 0.1f, -0.3f];

    private TestBundle _bundle = null!;
    private ServerProcess _server = null!;
    private double[] _expected = [];

    public async Task InitializeAsync()
    {
        _bundle = new TestBundle(Path.Combine(RepoPaths.Root, "tests", "fixtures", "bundle_dense", "dense.onnx"), pooling: "mean");
        _expected = InProcessScore();
        // A state folder of its own: the default (.recserve-state beside the base path) is shared by every TestBundle,
        // so servers of consecutive tests met on one overlay's RocksDB lock.
        _server = await ServerProcess.StartAsync("--model_name", Model, "--model_base_path", _bundle.BasePath, "--enable_batching",
            "--state_dir", _bundle.BasePath + "-state");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _bundle.Dispose();
        if (Directory.Exists(_bundle.BasePath + "-state"))
        {
            Directory.Delete(_bundle.BasePath + "-state", recursive: true);
        }
    }

    private double[] InProcessScore()
    {
        using var model = BundleModel.Load(_bundle.VersionPath, new OnnxModelOptions());
        var (a, aLengths) = Flat(BagsA);
        var (b, bLengths) = Flat(BagsB);
        var inputs = new Dictionary<string, Tensor>
        {
            ["dense"] = Tensor.FromValues<float>(TensorDataType.Float32, [3, 4], Dense),
            ["a"] = Tensor.FromValues<long>(TensorDataType.Int64, [a.Length], a),
            ["a.lengths"] = Tensor.FromValues<int>(TensorDataType.Int32, [3], aLengths),
            ["b"] = Tensor.FromValues<long>(TensorDataType.Int64, [b.Length], b),
            ["b.lengths"] = Tensor.FromValues<int>(TensorDataType.Int32, [3], bLengths),
        };
        try
        {
            using var outputs = model.Predict(inputs, []);
            return Array.ConvertAll(outputs.Find("score")!.AsSpan<float>().ToArray(), v => (double)v);
        }
        finally
        {
            foreach (var tensor in inputs.Values)
            {
                tensor.Dispose();
            }
        }
    }

    private static (long[] Ids, int[] Lengths) Flat(long[][] bags) => (bags.SelectMany(b => b).ToArray(), bags.Select(b => b.Length).ToArray());

    private static long[] Padded(long[][] bags, int width) =>
        bags.SelectMany(b => b.Concat(Enumerable.Repeat(-1L, width - b.Length))).ToArray();

    private static PredictRequest GrpcRequest(bool ragged, bool content)
    {
        var request = new PredictRequest { ModelSpec = new ModelSpec { Name = Model } };
        request.Inputs["dense"] = Protos.Floats(Dense, [3, 4], content);
        if (ragged)
        {
            var (a, aLengths) = Flat(BagsA);
            var (b, bLengths) = Flat(BagsB);
            request.Inputs["a"] = Protos.Int64s(a, [a.Length], content);
            request.Inputs["a.lengths"] = Protos.Int32s(aLengths, [3], content);
            request.Inputs["b"] = Protos.Int64s(b, [b.Length], content);
            request.Inputs["b.lengths"] = Protos.Int64s(bLengths.Select(l => (long)l).ToArray(), [3], content);
        }
        else
        {
            request.Inputs["a"] = Protos.Int64s(Padded(BagsA, 4), [3, 4], content);
            request.Inputs["b"] = Protos.Int64s(Padded(BagsB, 2), [3, 2], content);
        }
        return request;
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, true)]
    [InlineData(true, false)]
    public async Task GrpcPredictAnswersAsInProcess(bool ragged, bool content)
    {
        var response = await _server.Predictions.PredictAsync(GrpcRequest(ragged, content));

        Assert.Equal([3L, 2L], Protos.ShapeOf(response.Outputs["score"]));
        ExampleModelTests.AssertClose(_expected, Protos.Values(response.Outputs["score"]), 1e-5);
    }

    [Fact]
    public async Task RestRowAndColumnarJsonAnswerAsInProcess()
    {
        var instances = new JsonArray();
        var paddedA = Padded(BagsA, 4);
        var paddedB = Padded(BagsB, 2);
        for (var row = 0; row < 3; row++)
        {
            instances.Add(new JsonObject
            {
                ["dense"] = new JsonArray(Dense.Skip(row * 4).Take(4).Select(v => (JsonNode?)v).ToArray()),
                ["a"] = new JsonArray(paddedA.Skip(row * 4).Take(4).Select(v => (JsonNode?)v).ToArray()),
                ["b"] = new JsonArray(paddedB.Skip(row * 2).Take(2).Select(v => (JsonNode?)v).ToArray()),
            });
        }
        var rows = await PostAsync($"/v1/models/{Model}:predict", new JsonObject { ["instances"] = instances });
        var predictions = rows["predictions"]!.AsArray().SelectMany(r => r!.AsArray().Select(v => v!.GetValue<double>())).ToArray();
        ExampleModelTests.AssertClose(_expected, predictions, 1e-5);

        var (a, aLengths) = Flat(BagsA);
        var (b, bLengths) = Flat(BagsB);
        var columnar = new JsonObject
        {
            ["inputs"] = new JsonObject
            {
                ["dense"] = new JsonArray(Enumerable.Range(0, 3).Select(r => (JsonNode?)new JsonArray(Dense.Skip(r * 4).Take(4).Select(v => (JsonNode?)v).ToArray())).ToArray()),
                ["a"] = new JsonArray(a.Select(v => (JsonNode?)v).ToArray()),
                ["a.lengths"] = new JsonArray(aLengths.Select(v => (JsonNode?)v).ToArray()),
                ["b"] = new JsonArray(b.Select(v => (JsonNode?)v).ToArray()),
                ["b.lengths"] = new JsonArray(bLengths.Select(v => (JsonNode?)v).ToArray()),
            },
        };
        var answer = await PostAsync($"/v1/models/{Model}:predict", columnar);
        var outputs = answer["outputs"]!.AsArray().SelectMany(r => r!.AsArray().Select(v => v!.GetValue<double>())).ToArray();
        ExampleModelTests.AssertClose(_expected, outputs, 1e-5);
    }

    private static IEnumerable<InputData> KServeInputs()
    {
        var (a, aLengths) = Flat(BagsA);
        var (b, bLengths) = Flat(BagsB);
        yield return new InputData("dense", TensorElementType.Float, [3, 4], Dense);
        yield return new InputData("a", TensorElementType.Int64, [a.Length], a);
        yield return new InputData("a.lengths", TensorElementType.Int32, [3], aLengths);
        yield return new InputData("b", TensorElementType.Int64, [b.Length], b);
        yield return new InputData("b.lengths", TensorElementType.Int32, [3], bLengths);
    }

    [Fact]
    public async Task KServeInferAnswersAsInProcess()
    {
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(_server.Channel);
        foreach (var raw in new[] { true, false })
        {
            var response = await client.ModelInferAsync(KServeTensors.Request(Model, KServeInputs(), raw));
            ExampleModelTests.AssertClose(_expected, KServeTensors.Values(response, 0).Numbers!, 1e-5);
        }

        var body = new JsonObject { ["inputs"] = new JsonArray(KServeInputs().Select(i => (JsonNode?)KServeTensors.Json(i, nested: false)).ToArray()) };
        var answer = await PostAsync($"/v2/models/{Model}/infer", body);
        var output = Assert.Single(answer["outputs"]!.AsArray())!;
        Assert.Equal("score", output["name"]!.GetValue<string>());
        ExampleModelTests.AssertClose(_expected, output["data"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray(), 1e-5);
    }

    [Fact]
    public async Task MetadataShowsSparseFeaturesAsInt64Inputs()
    {
        var request = new GetModelMetadataRequest { ModelSpec = new ModelSpec { Name = Model } };
        request.MetadataField.Add("signature_def");
        var response = await _server.Predictions.GetModelMetadataAsync(request);
        var signature = response.Metadata["signature_def"].Unpack<SignatureDefMap>().SignatureDef["serving_default"];
        Assert.Equal(["a", "b", "dense"], signature.Inputs.Keys.Order());
        Assert.Equal(DataType.DtInt64, signature.Inputs["a"].Dtype);
        Assert.Equal([-1L, -1L], signature.Inputs["a"].TensorShape.Dim.Select(d => d.Size));
        Assert.Equal("score", Assert.Single(signature.Outputs.Keys));

        var rest = JsonNode.Parse(await _server.Http.GetStringAsync($"/v1/models/{Model}/metadata"))!;
        var restInputs = rest["metadata"]!["signature_def"]!["signature_def"]!["serving_default"]!["inputs"]!.AsObject();
        Assert.Equal("DT_INT64", restInputs["b"]!["dtype"]!.GetValue<string>());

        var kserve = JsonNode.Parse(await _server.Http.GetStringAsync($"/v2/models/{Model}"))!;
        var b = kserve["inputs"]!.AsArray().Single(i => i!["name"]!.GetValue<string>() == "b")!;
        Assert.Equal("INT64", b["datatype"]!.GetValue<string>());
    }

    [Fact]
    public async Task BadSparseInputIsInvalidArgumentAndTheServerKeepsServing()
    {
        var request = GrpcRequest(ragged: true, content: true);
        request.Inputs["a.lengths"] = Protos.Int32s([2, 0, 3], [3], true);
        var error = await Assert.ThrowsAsync<RpcException>(async () => await _server.Predictions.PredictAsync(request));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("'a.lengths' add up to 5 but sparse feature 'a' holds 4 ids", error.Status.Detail);

        var tooWide = new JsonObject
        {
            ["inputs"] = new JsonObject
            {
                ["dense"] = new JsonArray(new JsonArray(1, 2, 3, 4)),
                ["a"] = new JsonArray(new JsonArray(1, 2, 3, 4, 5)),
                ["b"] = new JsonArray(new JsonArray(5)),
            },
        };
        using var rest = await _server.Http.PostAsync($"/v1/models/{Model}:predict", JsonContent.Create(tooWide));
        Assert.Equal(HttpStatusCode.BadRequest, rest.StatusCode);
        var message = JsonNode.Parse(await rest.Content.ReadAsStringAsync())!["error"]!.GetValue<string>();
        Assert.Contains("sparse feature 'a' has 5 ids per row", message);

        var orphan = GrpcRequest(ragged: false, content: true);
        orphan.Inputs["b.lengths"] = Protos.Int32s([1, 1, 1], [3], true);
        var orphanError = await Assert.ThrowsAsync<RpcException>(async () => await _server.Predictions.PredictAsync(orphan));
        Assert.Equal(StatusCode.InvalidArgument, orphanError.StatusCode);
        Assert.Contains("sparse feature 'b'", orphanError.Status.Detail);

        var response = await _server.Predictions.PredictAsync(GrpcRequest(ragged: true, content: true));
        ExampleModelTests.AssertClose(_expected, Protos.Values(response.Outputs["score"]), 1e-5);
    }

    [Fact]
    public async Task TableMetricsAppearPerModelVersionTableAndTier()
    {
        await _server.Predictions.PredictAsync(GrpcRequest(ragged: true, content: true));

        var text = await _server.Http.GetStringAsync("/metrics");

        var labels = $"model=\"{Model}\",version=\"1\",table=\"ta\",tier=\"table\"";
        Assert.True(MetricsText.Value(text, $"recserve_embedding_lookups_total{{{labels}}}") >= 4);
        Assert.True(MetricsText.Value(text, $"recserve_embedding_misses_total{{{labels}}}") >= 1);
        Assert.True(MetricsText.Value(text, $"recserve_embedding_hits_total{{{labels}}}") >= 3);
        Assert.True(MetricsText.Value(text, $"recserve_embedding_resident_bytes{{{labels}}}") > 0);
    }

    private async Task<JsonNode> PostAsync(string path, JsonObject body)
    {
        using var response = await _server.Http.PostAsync(path, JsonContent.Create(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonNode.Parse(text)!;
    }
}
