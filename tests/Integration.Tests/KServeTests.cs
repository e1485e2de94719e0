using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Grpc.Core;
using Inference;

namespace Integration.Tests;

/// <summary>
/// KServe v2 / Open Inference Protocol on the same ports as the TF-Serving API: gRPC (raw and typed contents) and
/// REST answer what in-process ONNX Runtime answers; health, metadata and errors follow the protocol.
/// </summary>
public sealed class KServeTests : IAsyncLifetime
{
    private static readonly string[] ServedModels = ["mlp_opset13", "mlp_opset17", "multi_io", "strings", "half_io"];

    public static readonly TheoryData<string> Models = new(["mlp_opset13", "multi_io", "strings", "half_io"]);

    // half_io has FP16 inputs, which have no typed contents field, so it is left out of the typed gRPC test.
    public static readonly TheoryData<string> TypedModels = new(["mlp_opset13", "multi_io", "strings"]);

    private ServerProcess _server = null!;
    private string _configFolder = null!;
    private GRPCInferenceService.GRPCInferenceServiceClient _client = null!;

    public async Task InitializeAsync()
    {
        _configFolder = Path.Combine(Path.GetTempPath(), "recserve-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_configFolder);
        var configs = new JsonArray();
        // "broken" never loads, so the server and that model stay not ready: the "false" health answers.
        foreach (var model in ServedModels.Append("broken"))
        {
            configs.Add(new JsonObject { ["name"] = model, ["base_path"] = RepoPaths.Fixture(model) });
        }
        var config = new JsonObject { ["model_config_list"] = new JsonObject { ["config"] = configs } };
        var path = Path.Combine(_configFolder, "models.json");
        await File.WriteAllTextAsync(path, config.ToJsonString());
        _server = await ServerProcess.StartAsync("--model_config_file", path);
        _client = new GRPCInferenceService.GRPCInferenceServiceClient(_server.Channel);
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

    private static void AssertEqualsReference(
        Dictionary<string, (long[] Shape, double[]? Numbers, string[]? Strings)> expected, ModelInferResponse response)
    {
        Assert.Equal(expected.Keys.Order(), response.Outputs.Select(o => o.Name).Order());
        for (var i = 0; i < response.Outputs.Count; i++)
        {
            var output = response.Outputs[i];
            var (shape, numbers, strings) = expected[output.Name];
            Assert.Equal(shape, output.Shape);
            var (actualNumbers, actualStrings) = KServeTensors.Values(response, i);
            if (strings is not null)
            {
                Assert.Equal("BYTES", output.Datatype);
                Assert.Equal(strings, actualStrings);
            }
            else
            {
                ExampleModelTests.AssertClose(numbers!, actualNumbers!, 1e-6);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task GrpcRawInputsAnswerRawOutputsEqualToOnnxRuntime(string model)
    {
        using var reference = new OrtReference(ModelFile(model));
        var inputs = reference.RandomInputs(batch: 3, seed: 11);
        var expected = reference.Run(inputs);
        var request = KServeTensors.Request(model, inputs, raw: true);
        request.Id = "raw-" + model;

        var response = await _client.ModelInferAsync(request);

        Assert.Equal(model, response.ModelName);
        Assert.Equal("raw-" + model, response.Id);
        Assert.Equal(response.Outputs.Count, response.RawOutputContents.Count);
        Assert.All(response.Outputs, o => Assert.Null(o.Contents));
        AssertEqualsReference(expected, response);
    }

    [Theory]
    [MemberData(nameof(TypedModels))]
    public async Task GrpcTypedInputsAnswerTypedOutputsEqualToOnnxRuntime(string model)
    {
        using var reference = new OrtReference(ModelFile(model));
        var inputs = reference.RandomInputs(batch: 2, seed: 12);
        var expected = reference.Run(inputs);

        var response = await _client.ModelInferAsync(KServeTensors.Request(model, inputs, raw: false));

        Assert.Empty(response.RawOutputContents);
        Assert.All(response.Outputs, o => Assert.NotNull(o.Contents));
        AssertEqualsReference(expected, response);
    }

    [Fact]
    public async Task KServeRequestsAreCountedByApiAndStatus()
    {
        const string model = "mlp_opset17";
        using var reference = new OrtReference(ModelFile(model));
        var inputs = reference.RandomInputs(batch: 2, seed: 16);
        var version = (await _client.ModelInferAsync(KServeTensors.Request(model, inputs, raw: true))).ModelVersion;
        string Series(string api, string status) =>
            $"recserve_requests_total{{model=\"{model}\",version=\"{version}\",api=\"{api}\",status=\"{status}\"}}";
        var before = await _server.Http.GetStringAsync("/metrics");

        await _client.ModelInferAsync(KServeTensors.Request(model, inputs, raw: true));
        await InferAsync($"/v2/models/{model}/infer", new JsonObject
        {
            ["inputs"] = new JsonArray(inputs.Select(i => (JsonNode?)KServeTensors.Json(i, nested: true)).ToArray()),
        });
        var wrong = KServeTensors.Request(model, inputs, raw: true);
        wrong.RawInputContents[0] = ByteString.CopyFrom(new byte[4]); // shorter than the input's shape
        await Assert.ThrowsAsync<RpcException>(async () => await _client.ModelInferAsync(wrong));

        var after = await _server.Http.GetStringAsync("/metrics");
        Assert.Equal((MetricsText.Find(before, Series("kserve_grpc", "OK")) ?? 0) + 1, MetricsText.Value(after, Series("kserve_grpc", "OK")));
        Assert.Equal((MetricsText.Find(before, Series("kserve_rest", "OK")) ?? 0) + 1, MetricsText.Value(after, Series("kserve_rest", "OK")));
        Assert.Equal((MetricsText.Find(before, Series("kserve_grpc", "INVALID_ARGUMENT")) ?? 0) + 1,
            MetricsText.Value(after, Series("kserve_grpc", "INVALID_ARGUMENT")));
    }

    [Fact]
    public async Task GrpcTypedFp16InputIsRefusedWithAPointerToRawContents()
    {
        using var reference = new OrtReference(ModelFile("half_io"));
        var request = KServeTensors.Request("half_io", reference.RandomInputs(batch: 2, seed: 13), raw: false);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await _client.ModelInferAsync(request));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("input 'x' is FP16", error.Status.Detail);
        Assert.Contains("raw_input_contents", error.Status.Detail);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task RestInferAnswersEqualOnnxRuntime(string model)
    {
        using var reference = new OrtReference(ModelFile(model));
        foreach (var nested in new[] { true, false })
        {
            var inputs = reference.RandomInputs(batch: 3, seed: nested ? 14 : 15);
            var expected = reference.Run(inputs);
            var body = new JsonObject
            {
                ["id"] = "rest-1",
                ["inputs"] = new JsonArray(inputs.Select(i => (JsonNode?)KServeTensors.Json(i, nested)).ToArray()),
            };

            var answer = await InferAsync($"/v2/models/{model}/infer", body);

            Assert.Equal(model, answer["model_name"]!.GetValue<string>());
            Assert.Equal("1", answer["model_version"]!.GetValue<string>());
            Assert.Equal("rest-1", answer["id"]!.GetValue<string>());
            var outputs = answer["outputs"]!.AsArray();
            Assert.Equal(expected.Keys.Order(), outputs.Select(o => o!["name"]!.GetValue<string>()).Order());
            foreach (var output in outputs)
            {
                var (shape, numbers, strings) = expected[output!["name"]!.GetValue<string>()];
                Assert.Equal(shape, output["shape"]!.AsArray().Select(d => d!.GetValue<long>()));
                var data = output["data"]!.AsArray();
                Assert.All(data, d => Assert.IsNotType<JsonArray>(d));
                if (strings is not null)
                {
                    Assert.Equal(strings, data.Select(d => d!.GetValue<string>()));
                }
                else
                {
                    var actual = data.Select(d => d!.GetValueKind() switch
                    {
                        System.Text.Json.JsonValueKind.True => 1.0,
                        System.Text.Json.JsonValueKind.False => 0.0,
                        _ => d.GetValue<double>(),
                    }).ToArray();
                    ExampleModelTests.AssertClose(numbers!, actual, 1e-6);
                }
            }
        }
    }

    [Fact]
    public async Task RequestedOutputsFilterTheAnswerOverGrpcAndRest()
    {
        using var reference = new OrtReference(ModelFile("multi_io"));
        var inputs = reference.RandomInputs(batch: 2, seed: 16);
        var expected = reference.Run(inputs);

        var request = KServeTensors.Request("multi_io", inputs, raw: true);
        request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "positive" });
        request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "id_sum" });
        var response = await _client.ModelInferAsync(request);
        Assert.Equal(["id_sum", "positive"], response.Outputs.Select(o => o.Name).Order());
        Assert.Equal(2, response.RawOutputContents.Count);
        var idSum = response.Outputs.Single(o => o.Name == "id_sum");
        Assert.Equal("INT64", idSum.Datatype);
        Assert.Equal(expected["id_sum"].Numbers, KServeTensors.Values(response, response.Outputs.IndexOf(idSum)).Numbers);

        var body = new JsonObject
        {
            ["inputs"] = new JsonArray(inputs.Select(i => (JsonNode?)KServeTensors.Json(i, nested: true)).ToArray()),
            ["outputs"] = new JsonArray(new JsonObject { ["name"] = "positive" }),
        };
        var answer = await InferAsync("/v2/models/multi_io/versions/1/infer", body);
        var only = Assert.Single(answer["outputs"]!.AsArray())!;
        Assert.Equal("positive", only["name"]!.GetValue<string>());
        Assert.Equal("BOOL", only["datatype"]!.GetValue<string>());
        Assert.Equal(expected["positive"].Numbers, only["data"]!.AsArray().Select(d => d!.GetValue<bool>() ? 1.0 : 0.0));
    }

    [Fact]
    public async Task MetadataDescribesTheModelOverGrpcAndRest()
    {
        var metadata = await _client.ModelMetadataAsync(new ModelMetadataRequest { Name = "multi_io" });
        Assert.Equal("multi_io", metadata.Name);
        Assert.Equal(["1"], metadata.Versions);
        Assert.Equal("onnxruntime_onnx", metadata.Platform);
        var ids = metadata.Inputs.Single(i => i.Name == "ids");
        Assert.Equal("INT64", ids.Datatype);
        Assert.Equal([-1L, 3L], ids.Shape);
        Assert.Equal("FP64", metadata.Inputs.Single(i => i.Name == "scale").Datatype);
        Assert.Equal("BOOL", metadata.Outputs.Single(o => o.Name == "positive").Datatype);

        var rest = JsonNode.Parse(await _server.Http.GetStringAsync("/v2/models/half_io"))!;
        Assert.Equal("half_io", rest["name"]!.GetValue<string>());
        Assert.Equal("onnxruntime_onnx", rest["platform"]!.GetValue<string>());
        var x = rest["inputs"]!.AsArray().Single(i => i!["name"]!.GetValue<string>() == "x")!;
        Assert.Equal("FP16", x["datatype"]!.GetValue<string>());
        Assert.Equal([-1L, 4L], x["shape"]!.AsArray().Select(d => d!.GetValue<long>()));
        var n = rest["outputs"]!.AsArray().Single(o => o!["name"]!.GetValue<string>() == "n_plus_one")!;
        Assert.Equal("INT32", n["datatype"]!.GetValue<string>());

        // mlp_opset17 serves version 2 only (latest 1): metadata names it and refuses version 1.
        var versioned = JsonNode.Parse(await _server.Http.GetStringAsync("/v2/models/mlp_opset17/versions/2"))!;
        Assert.Equal(["2"], versioned["versions"]!.AsArray().Select(v => v!.GetValue<string>()));
        using var missing = await _server.Http.GetAsync("/v2/models/mlp_opset17/versions/1");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("version 1 is not available", await ErrorAsync(missing));
    }

    [Fact]
    public async Task ServerMetadataNamesRecServeOverGrpcAndRest()
    {
        var metadata = await _client.ServerMetadataAsync(new ServerMetadataRequest());
        Assert.Equal("recserve", metadata.Name);
        Assert.NotEmpty(metadata.Version);

        var rest = JsonNode.Parse(await _server.Http.GetStringAsync("/v2"))!;
        Assert.Equal("recserve", rest["name"]!.GetValue<string>());
        Assert.Equal(metadata.Version, rest["version"]!.GetValue<string>());
        Assert.Empty(rest["extensions"]!.AsArray());
    }

    [Fact]
    public async Task HealthAnswersTrueForServedModelsAndFalseForTheBrokenOne()
    {
        Assert.True((await _client.ServerLiveAsync(new ServerLiveRequest())).Live);
        Assert.False((await _client.ServerReadyAsync(new ServerReadyRequest())).Ready);
        Assert.True((await _client.ModelReadyAsync(new ModelReadyRequest { Name = "strings" })).Ready);
        Assert.True((await _client.ModelReadyAsync(new ModelReadyRequest { Name = "mlp_opset17", Version = "2" })).Ready);
        Assert.False((await _client.ModelReadyAsync(new ModelReadyRequest { Name = "broken" })).Ready);

        await AssertStatusAsync("/v2/health/live", HttpStatusCode.OK);
        await AssertStatusAsync("/v2/health/ready", HttpStatusCode.BadRequest);
        await AssertStatusAsync("/v2/models/strings/ready", HttpStatusCode.OK);
        await AssertStatusAsync("/v2/models/mlp_opset17/versions/2/ready", HttpStatusCode.OK);
        await AssertStatusAsync("/v2/models/broken/ready", HttpStatusCode.BadRequest);
        await AssertStatusAsync("/v2/models/broken/versions/1/ready", HttpStatusCode.BadRequest);
    }

    private async Task AssertStatusAsync(string path, HttpStatusCode expected)
    {
        using var response = await _server.Http.GetAsync(path);
        Assert.True(expected == response.StatusCode, $"GET {path}: expected {expected}, got {response.StatusCode}");
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task UnknownModelOrVersionIsNotFoundOverGrpcAndRest()
    {
        var unknown = await Assert.ThrowsAsync<RpcException>(async () => await _client.ModelInferAsync(new ModelInferRequest { ModelName = "nope" }));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("model 'nope' is not served", unknown.Status.Detail);

        var version = await Assert.ThrowsAsync<RpcException>(async () => await _client.ModelInferAsync(new ModelInferRequest { ModelName = "mlp_opset13", ModelVersion = "9" }));
        Assert.Equal(StatusCode.NotFound, version.StatusCode);

        var ready = await Assert.ThrowsAsync<RpcException>(async () => await _client.ModelReadyAsync(new ModelReadyRequest { Name = "nope" }));
        Assert.Equal(StatusCode.NotFound, ready.StatusCode);
        var metadata = await Assert.ThrowsAsync<RpcException>(async () => await _client.ModelMetadataAsync(new ModelMetadataRequest { Name = "nope" }));
        Assert.Equal(StatusCode.NotFound, metadata.StatusCode);

        foreach (var path in new[] { "/v2/models/nope", "/v2/models/nope/ready", "/v2/models/mlp_opset13/versions/9", "/v2/models/nope/nothing" })
        {
            using var response = await _server.Http.GetAsync(path);
            Assert.True(HttpStatusCode.NotFound == response.StatusCode, $"GET {path}: {response.StatusCode}");
            Assert.NotEmpty(await ErrorAsync(response));
        }
        using var infer = await _server.Http.PostAsync("/v2/models/nope/infer", JsonContent.Create(new JsonObject { ["inputs"] = new JsonArray() }));
        Assert.Equal(HttpStatusCode.NotFound, infer.StatusCode);
        Assert.Contains("model 'nope' is not served", await ErrorAsync(infer));
    }

    public static readonly TheoryData<string, string> InvalidGrpcRequests = new()
    {
        { "wrong datatype", "'x' has type float64 but the signature expects float32" },
        { "wrong shape", "dimension 1 must be 8" },
        { "raw length", "raw_input_contents for input 'x' has 7 bytes" },
        { "raw count", "raw_input_contents has 2 entries but the request has 1 inputs" },
        { "missing input", "missing input 'x'" },
        { "unknown datatype", "'x' has datatype 'FLOAT32', which is not a KServe v2 datatype" },
        { "bad version", "model version 'latest' is not a version number" },
        { "unknown output", "'nope', which is not an output" },
        { "typed count", "input 'x' has 3 values in fp32_contents but shape [2, 8] holds 16" },
    };

    private static ModelInferRequest InvalidGrpcRequest(string kind)
    {
        var request = new ModelInferRequest { ModelName = "mlp_opset13" };
        var x = new ModelInferRequest.Types.InferInputTensor { Name = "x", Datatype = "FP32" };
        x.Shape.Add([2, 8]);
        request.Inputs.Add(x);
        request.RawInputContents.Add(ByteString.CopyFrom(new byte[64]));
        switch (kind)
        {
            case "wrong datatype": x.Datatype = "FP64"; request.RawInputContents[0] = ByteString.CopyFrom(new byte[128]); break;
            case "wrong shape": x.Shape[1] = 4; request.RawInputContents[0] = ByteString.CopyFrom(new byte[32]); break;
            case "raw length": request.RawInputContents[0] = ByteString.CopyFrom(new byte[7]); break;
            case "raw count": request.RawInputContents.Add(ByteString.CopyFrom(new byte[4])); break;
            case "missing input": request.Inputs.Clear(); request.RawInputContents.Clear(); break;
            case "unknown datatype": x.Datatype = "FLOAT32"; break;
            case "bad version": request.ModelVersion = "latest"; break;
            case "unknown output": request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "nope" }); break;
            case "typed count":
                request.RawInputContents.Clear();
                x.Contents = new InferTensorContents();
                x.Contents.Fp32Contents.Add([1f, 2f, 3f]);
                break;
            default: throw new ArgumentException(kind);
        }
        return request;
    }

    [Theory]
    [MemberData(nameof(InvalidGrpcRequests))]
    public async Task GrpcInvalidRequestsAreInvalidArgumentWithAClearMessage(string kind, string message)
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await _client.ModelInferAsync(InvalidGrpcRequest(kind)));

        Assert.True(StatusCode.InvalidArgument == error.StatusCode, $"{kind}: {error.StatusCode} {error.Status.Detail}");
        Assert.Contains(message, error.Status.Detail);
    }

    public static readonly TheoryData<string, string> InvalidRestBodies = new()
    {
        { """{"inputs":[{"name":"x","shape":[1,8],"datatype":"FP64","data":[1,2,3,4,5,6,7,8]}]}""", "'x' has type float64 but the signature expects float32" },
        { """{"inputs":[{"name":"x","shape":[2,4],"datatype":"FP32","data":[1,2,3,4,5,6,7,8]}]}""", "dimension 1 must be 8" },
        { """{"inputs":[{"name":"x","shape":[1,8],"datatype":"FP32","data":[1,2,3]}]}""", "input 'x' has 3 values in \"data\" but shape [1, 8] holds 8" },
        { """{"inputs":[]}""", "missing input 'x'" },
        { """{"inputs":[{"name":"x","shape":[1,8],"datatype":"FP32","data":[1,2,3,4,5,6,7,"8"]}]}""", "float32 values must be numbers" },
        { """{"inputs":[{"name":"x","shape":[1,8],"datatype":"FP32","data":[1,2,3,4,5,6,7,8]}],"outputs":[{"name":"z"}]}""", "'z', which is not an output" },
        { """{"inputs":[""", "not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(InvalidRestBodies))]
    public async Task RestInvalidRequestsAre400WithAClearMessage(string body, string message)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await _server.Http.PostAsync("/v2/models/mlp_opset13/infer", content);

        Assert.True(HttpStatusCode.BadRequest == response.StatusCode, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.Contains(message, await ErrorAsync(response));
    }

    [Fact]
    public async Task RestBinaryDataExtensionIsRefusedByName()
    {
        using var content = new StringContent("""{"inputs":[]}""", Encoding.UTF8, "application/json");
        content.Headers.Add("Inference-Header-Content-Length", "13");
        using var response = await _server.Http.PostAsync("/v2/models/mlp_opset13/infer", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("binary tensor data extension", await ErrorAsync(response));
    }

    [Fact]
    public async Task TfServingApiStillAnswersBesideKServe()
    {
        using var response = await _server.Http.PostAsync("/v1/models/mlp_opset13:predict",
            JsonContent.Create(new JsonObject { ["instances"] = new JsonArray(new JsonArray(1, 2, 3, 4, 5, 6, 7, 8)) }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var predictions = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["predictions"]!.AsArray();
        Assert.Equal(3, Assert.Single(predictions)!.AsArray().Count);
    }

    private async Task<JsonNode> InferAsync(string path, JsonObject body)
    {
        using var response = await _server.Http.PostAsync(path, JsonContent.Create(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonNode.Parse(text)!;
    }

    private static async Task<string> ErrorAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!.GetValue<string>();
    }
}
