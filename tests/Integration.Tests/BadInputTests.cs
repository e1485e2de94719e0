using System.Net;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Tensorflow;
using Tensorflow.Serving;

namespace Integration.Tests;

/// <summary>Every kind of bad request gets a clear error with the right status, and the server keeps serving.</summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private const int MaxMessageBytes = 64 * 1024;
    private ServerProcess _server = null!;

    public async Task InitializeAsync() =>
        _server = await ServerProcess.StartAsync("--model_name", "mlp", "--model_base_path", RepoPaths.Fixture("mlp_opset13"), "--max_message_bytes", MaxMessageBytes.ToString());

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static PredictRequest Request(Action<PredictRequest>? change = null, string model = "mlp")
    {
        var request = new PredictRequest { ModelSpec = new ModelSpec { Name = model } };
        request.Inputs["x"] = Protos.Floats(new float[16], [2, 8], content: true);
        change?.Invoke(request);
        return request;
    }

    private async Task<RpcException> PredictFails(PredictRequest request, StatusCode code)
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await _server.Predictions.PredictAsync(request));
        Assert.True(code == error.StatusCode, $"expected {code}, got {error.StatusCode}: {error.Status.Detail} {error.Status.DebugException}");
        return error;
    }

    public static readonly TheoryData<string, string, string> InvalidRequests = new()
    {
        { "unknown input", "extra", "'extra' is not in the signature" },
        { "missing input", "x", "missing input 'x'" },
        { "wrong dtype", "x", "'x' has type float64" },
        { "wrong rank", "x", "'x' has rank 1" },
        { "wrong fixed dim", "x", "dimension 1 must be 8" },
        { "content length", "x", "tensor_content" },
        { "too many values", "x", "values but its shape holds" },
        { "bad signature", "serving_default", "signature name 'nope'" },
        { "unsupported dtype", "x", "DtComplex64" },
        { "repeat-last past the element limit", "x", "--max_tensor_elements" },
    };

    private static PredictRequest InvalidRequest(string kind) => kind switch
    {
        "unknown input" => Request(r => r.Inputs["extra"] = Protos.Floats([1f], [1], true)),
        "missing input" => Request(r => r.Inputs.Clear()),
        "wrong dtype" => Request(r => r.Inputs["x"] = Protos.Doubles(new double[16], [2, 8], true)),
        "wrong rank" => Request(r => r.Inputs["x"] = Protos.Floats(new float[16], [16], true)),
        "wrong fixed dim" => Request(r => r.Inputs["x"] = Protos.Floats(new float[10], [2, 5], true)),
        "content length" => Request(r => r.Inputs["x"].TensorContent = ByteString.CopyFrom(new byte[7])),
        "too many values" => Request(r => r.Inputs["x"] = Protos.Floats(new float[17], [2, 8], false)),
        "bad signature" => Request(r => r.ModelSpec.SignatureName = "nope"),
        "unsupported dtype" => Request(r => r.Inputs["x"].Dtype = DataType.DtComplex64),
        // One float_val repeated over [2^25, 8] would need 1 GiB: refused before anything is allocated.
        "repeat-last past the element limit" => Request(r => r.Inputs["x"] = Protos.Floats([1f], [1 << 25, 8], false)),
        _ => throw new ArgumentException(kind),
    };

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public async Task GrpcInvalidArgumentNamesTheProblem(string kind, string mentioned, string message)
    {
        var error = await PredictFails(InvalidRequest(kind), StatusCode.InvalidArgument);
        Assert.Contains(message, error.Status.Detail);
        Assert.Contains(mentioned, error.Status.Detail);
        await AssertStillServes();
    }

    [Fact]
    public async Task GrpcUnknownModelVersionOrLabelIsNotFound()
    {
        await PredictFails(Request(model: "nope"), StatusCode.NotFound);
        await PredictFails(Request(r => r.ModelSpec.Version = 42), StatusCode.NotFound);
        await PredictFails(Request(r => r.ModelSpec.VersionLabel = "canary"), StatusCode.NotFound);
        var status = await Assert.ThrowsAsync<RpcException>(async () =>
            await _server.Models.GetModelStatusAsync(new GetModelStatusRequest { ModelSpec = new ModelSpec { Name = "nope" } }));
        Assert.Equal(StatusCode.NotFound, status.StatusCode);
        var missingName = await PredictFails(Request(model: ""), StatusCode.InvalidArgument);
        Assert.Contains("model_spec.name", missingName.Status.Detail);
        await AssertStillServes();
    }

    [Fact]
    public async Task GrpcMessageOverTheLimitIsResourceExhausted()
    {
        var rows = MaxMessageBytes / 32 + 10;
        var request = Request(r => r.Inputs["x"] = Protos.Floats(new float[rows * 8], [rows, 8], true));
        await PredictFails(request, StatusCode.ResourceExhausted);
        await AssertStillServes();
    }

    // Found by the fuzz suite: the generated deserializer's exception reached clients as UNKNOWN.
    [Theory]
    [InlineData("/tensorflow.serving.PredictionService/Predict", "0A060A04646C726D12")]
    [InlineData("/tensorflow.serving.PredictionService/Predict", "0A060A04646C726D1AFFFFFFFF0F")]
    [InlineData("/tensorflow.serving.ModelService/GetModelStatus", "0A080A04646C726D126F")]
    [InlineData("/tensorflow.serving.PredictionService/GetModelMetadata", "1201DA")]
    [InlineData("/inference.GRPCInferenceService/ModelInfer", "0A04646C726D1AFFFFFFFF0F")]
    public async Task GrpcMalformedMessageIsInvalidArgument(string method, string hex)
    {
        var bytes = Marshallers.Create(static (byte[] m) => m, static b => b);
        var slash = method.LastIndexOf('/');
        var raw = new Method<byte[], byte[]>(MethodType.Unary, method[1..slash], method[(slash + 1)..], bytes, bytes);

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await _server.Channel.CreateCallInvoker().AsyncUnaryCall(raw, null, new CallOptions(), Convert.FromHexString(hex)));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("malformed", error.Status.Detail);
        await AssertStillServes();
    }

    [Theory]
    [InlineData("/v1/models/nope:predict", "{\"instances\": [[1,2,3,4,5,6,7,8]]}", HttpStatusCode.NotFound, "nope")]
    [InlineData("/v1/models/mlp/versions/9:predict", "{\"instances\": [[1,2,3,4,5,6,7,8]]}", HttpStatusCode.NotFound, "version 9")]
    [InlineData("/v1/models/mlp/labels/canary:predict", "{\"instances\": [[1,2,3,4,5,6,7,8]]}", HttpStatusCode.NotFound, "canary")]
    [InlineData("/v1/models/mlp:predict", "{\"instances\": [[1,2,3]]}", HttpStatusCode.BadRequest, "x")]
    [InlineData("/v1/models/mlp:predict", "{\"inputs\": {\"y\": [[1,2,3,4,5,6,7,8]]}}", HttpStatusCode.BadRequest, "lacks input 'x'")]
    [InlineData("/v1/models/mlp:predict", "{\"instances\": [[1,2,3,4,5,6,7,8], [1,2]]}", HttpStatusCode.BadRequest, "x")]
    [InlineData("/v1/models/mlp:predict", "{\"instances\": [[\"a\",2,3,4,5,6,7,8]]}", HttpStatusCode.BadRequest, "x")]
    [InlineData("/v1/models/mlp:predict", "{\"instances\": [[1,2,3,4", HttpStatusCode.BadRequest, "")]
    [InlineData("/v1/models/mlp:predict", "", HttpStatusCode.BadRequest, "")]
    [InlineData("/v1/models/mlp:predict", "[1, 2]", HttpStatusCode.BadRequest, "")]
    [InlineData("/v1/models/mlp:predict", "{\"signature_name\": \"nope\", \"instances\": [[1,2,3,4,5,6,7,8]]}", HttpStatusCode.BadRequest, "nope")]
    [InlineData("/v1/models/mlp:classify", "{\"examples\": []}", HttpStatusCode.NotImplemented, "classify")]
    public async Task RestBadRequestsGetJsonErrors(string path, string body, HttpStatusCode status, string mentioned)
    {
        using var response = await _server.Http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(status, response.StatusCode);
        var error = System.Text.Json.Nodes.JsonNode.Parse(text)!["error"]!.GetValue<string>();
        Assert.False(string.IsNullOrWhiteSpace(error));
        Assert.Contains(mentioned, error);
        await AssertStillServes();
    }

    [Fact]
    public async Task RestBodyOverTheLimitIs413()
    {
        var body = "{\"instances\": [" + string.Join(",", Enumerable.Repeat("[1,2,3,4,5,6,7,8]", MaxMessageBytes / 16)) + "]}";
        using var response = await _server.Http.PostAsync("/v1/models/mlp:predict", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await AssertStillServes();
    }

    [Fact]
    public async Task RestUnknownPathsAre404()
    {
        using var status = await _server.Http.GetAsync("/v1/models/nope");
        Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
        using var metadata = await _server.Http.GetAsync("/v1/models/mlp/versions/7/metadata");
        Assert.Equal(HttpStatusCode.NotFound, metadata.StatusCode);
    }

    private async Task AssertStillServes()
    {
        var response = await _server.Predictions.PredictAsync(Request());
        Assert.Equal([2L, 3L], Protos.ShapeOf(response.Outputs["y"]));
        using var rest = await _server.Http.PostAsync("/v1/models/mlp:predict", new StringContent("{\"instances\": [[1,2,3,4,5,6,7,8]]}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, rest.StatusCode);
    }
}
