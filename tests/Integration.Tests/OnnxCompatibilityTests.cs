using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Tensorflow;
using Tensorflow.Serving;

namespace Integration.Tests;

/// <summary>
/// Models exported by torch.onnx.export (opsets 13-17, dynamic batch) and helper-built ones with every dtype,
/// served from one multi-model config: every API and encoding answers what in-process ONNX Runtime answers.
/// </summary>
public sealed class OnnxCompatibilityTests : IAsyncLifetime
{
    private static readonly string[] ModelNames = ["mlp_opset13", "mlp_opset15", "mlp_opset17", "multi_io", "half_io", "strings"];

    public static readonly TheoryData<string> Models = new(ModelNames);

    private ServerProcess _server = null!;
    private string _configFolder = null!;

    public async Task InitializeAsync()
    {
        _configFolder = Path.Combine(Path.GetTempPath(), "recserve-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_configFolder);
        var configs = new JsonArray();
        foreach (var model in ModelNames)
        {
            configs.Add(new JsonObject { ["name"] = model, ["base_path"] = RepoPaths.Fixture(model) });
        }
        var config = new JsonObject { ["model_config_list"] = new JsonObject { ["config"] = configs } };
        var path = Path.Combine(_configFolder, "models.json");
        await File.WriteAllTextAsync(path, config.ToJsonString());
        _server = await ServerProcess.StartAsync("--model_config_file", path);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_configFolder, recursive: true);
    }

    private static string ModelFile(string model)
    {
        var highest = Directory.GetDirectories(RepoPaths.Fixture(model)).Select(d => long.Parse(Path.GetFileName(d))).Max();
        return Path.Combine(RepoPaths.Fixture(model), highest.ToString(), "model.onnx");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task GrpcAnswersEqualOnnxRuntime(string model)
    {
        using var reference = new OrtReference(ModelFile(model));
        foreach (var content in new[] { true, false })
        {
            var inputs = reference.RandomInputs(batch: 3, seed: content ? 1 : 2);
            var expected = reference.Run(inputs);
            var request = new PredictRequest { ModelSpec = new ModelSpec { Name = model } };
            foreach (var input in inputs)
            {
                request.Inputs[input.Name] = input.ToProto(content);
            }
            var response = await _server.Predictions.PredictAsync(request);
            Assert.Equal(expected.Keys.Order(), response.Outputs.Keys.Order());
            foreach (var (name, (shape, numbers, strings)) in expected)
            {
                var actual = response.Outputs[name];
                Assert.Equal(shape, Protos.ShapeOf(actual));
                if (strings is not null)
                {
                    Assert.Equal(strings, actual.StringVal.Select(s => s.ToStringUtf8()).ToArray());
                }
                else
                {
                    ExampleModelTests.AssertClose(numbers!, Protos.Values(actual), 1e-6);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task RestColumnarAnswersEqualOnnxRuntime(string model)
    {
        using var reference = new OrtReference(ModelFile(model));
        var inputs = reference.RandomInputs(batch: 4, seed: 3);
        var expected = reference.Run(inputs);
        var body = new JsonObject { ["inputs"] = new JsonObject(inputs.Select(i => KeyValuePair.Create(i.Name, (JsonNode?)i.ToJson()))) };
        var outputs = await PostAsync(model, body, "outputs");
        foreach (var (name, (shape, numbers, strings)) in expected)
        {
            var node = expected.Count == 1 ? outputs : outputs[name]!;
            AssertJsonEquals(shape, numbers, strings, node, rows: null);
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task RestRowAnswersEqualOnnxRuntime(string model)
    {
        using var reference = new OrtReference(ModelFile(model));
        const int batch = 3;
        var inputs = reference.RandomInputs(batch, seed: 4);
        var expected = reference.Run(inputs);
        var instances = new JsonArray();
        for (var row = 0; row < batch; row++)
        {
            instances.Add(new JsonObject(inputs.Select(i => KeyValuePair.Create(i.Name, (JsonNode?)i.RowJson(row)))));
        }
        var predictions = (await PostAsync(model, new JsonObject { ["instances"] = instances }, "predictions")).AsArray();
        Assert.Equal(batch, predictions.Count);
        foreach (var (name, (shape, numbers, strings)) in expected)
        {
            var column = new JsonArray(predictions.Select(p => (expected.Count == 1 ? p! : p![name]!).DeepClone()).ToArray());
            AssertJsonEquals(shape, numbers, strings, column, rows: batch);
        }
    }

    private async Task<JsonNode> PostAsync(string model, JsonObject body, string key)
    {
        using var response = await _server.Http.PostAsync($"/v1/models/{model}:predict", JsonContent.Create(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonNode.Parse(text)![key]!;
    }

    private static void AssertJsonEquals(long[] shape, double[]? numbers, string[]? strings, JsonNode node, int? rows)
    {
        var flat = new List<JsonNode>();
        Flatten(node, flat);
        var count = (int)shape.Aggregate(1L, (a, b) => a * b);
        Assert.Equal(count, flat.Count);
        if (rows is { } r)
        {
            Assert.Equal(r, shape[0]);
        }
        if (strings is not null)
        {
            Assert.Equal(strings, flat.Select(n => n.GetValue<string>()).ToArray());
            return;
        }
        var actual = flat.Select(n => n.GetValueKind() switch
        {
            System.Text.Json.JsonValueKind.True => 1.0,
            System.Text.Json.JsonValueKind.False => 0.0,
            _ => n.GetValue<double>(),
        }).ToArray();
        ExampleModelTests.AssertClose(numbers!, actual, 1e-6);
    }

    private static void Flatten(JsonNode node, List<JsonNode> into)
    {
        if (node is JsonArray array)
        {
            foreach (var item in array)
            {
                Flatten(item!, into);
            }
        }
        else
        {
            into.Add(node);
        }
    }

    [Fact]
    public async Task MetadataDescribesTheSignatureOverGrpcAndRest()
    {
        var request = new GetModelMetadataRequest { ModelSpec = new ModelSpec { Name = "multi_io" } };
        request.MetadataField.Add("signature_def");
        var response = await _server.Predictions.GetModelMetadataAsync(request);
        Assert.Equal(1, response.ModelSpec.Version);
        var map = response.Metadata["signature_def"].Unpack<SignatureDefMap>();
        var signature = map.SignatureDef["serving_default"];
        Assert.Equal(DataType.DtInt64, signature.Inputs["ids"].Dtype);
        Assert.Equal([-1L, 3L], signature.Inputs["ids"].TensorShape.Dim.Select(d => d.Size));
        Assert.Equal(DataType.DtDouble, signature.Inputs["scale"].Dtype);
        Assert.Equal(DataType.DtBool, signature.Outputs["positive"].Dtype);
        Assert.Equal("tensorflow/serving/predict", signature.MethodName);

        var rest = JsonNode.Parse(await _server.Http.GetStringAsync("/v1/models/multi_io/metadata"))!;
        Assert.Equal("multi_io", rest["model_spec"]!["name"]!.GetValue<string>());
        var restSignature = rest["metadata"]!["signature_def"]!["signature_def"]!["serving_default"]!;
        Assert.Equal("DT_INT64", restSignature["inputs"]!["ids"]!["dtype"]!.GetValue<string>());
        Assert.Equal("-1", restSignature["inputs"]!["ids"]!["tensor_shape"]!["dim"]![0]!["size"]!.GetValue<string>());
    }

    [Fact]
    public async Task StatusReportsAvailableVersionOverGrpcAndRest()
    {
        var status = await _server.Models.GetModelStatusAsync(new GetModelStatusRequest { ModelSpec = new ModelSpec { Name = "mlp_opset17" } });
        // The default policy (latest 1) serves version 2; version 1 is never aspired, so never loaded.
        var version = Assert.Single(status.ModelVersionStatus);
        Assert.Equal(2, version.Version);
        Assert.Equal(ModelVersionStatus.Types.State.Available, version.State);

        var rest = JsonNode.Parse(await _server.Http.GetStringAsync("/v1/models/mlp_opset17/versions/2"))!;
        var entry = rest["model_version_status"]![0]!;
        Assert.Equal("2", entry["version"]!.GetValue<string>());
        Assert.Equal("AVAILABLE", entry["state"]!.GetValue<string>());
        Assert.Equal("OK", entry["status"]!["error_code"]!.GetValue<string>());
    }
}
