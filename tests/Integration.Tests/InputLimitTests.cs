using System.Net;
using System.Text;
using Grpc.Core;
using Tensorflow.Serving;
using Xunit;

namespace Integration.Tests;

/// <summary>
/// The string-bytes and JSON-depth limits of <c>recserve serve</c>: a request over either is refused with the flag
/// named, and the server goes on answering requests within them.
/// </summary>
public sealed class InputLimitTests
{
    [Fact]
    public async Task StringInputsOverTheByteLimitAreInvalidAndSmallerOnesServed()
    {
        await using var server = await ServerProcess.StartAsync(
            "--model_name", "strings", "--model_base_path", RepoPaths.Fixture("strings"), "--max_string_tensor_bytes", "10");
        PredictRequest Text(params string[] values)
        {
            var request = new PredictRequest { ModelSpec = new ModelSpec { Name = "strings" } };
            request.Inputs["text"] = Protos.Strings(values, [values.Length]);
            request.Inputs["flag"] = Protos.Bools(new bool[values.Length], [values.Length], content: false);
            return request;
        }

        // 6 + 5 bytes: each element is small, together they pass the limit.
        var error = await Assert.ThrowsAsync<RpcException>(async () => await server.Predictions.PredictAsync(Text("abcdef", "ghijk")));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("--max_string_tensor_bytes", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("11 bytes", error.Status.Detail, StringComparison.Ordinal);

        var response = await server.Predictions.PredictAsync(Text("abcde", "fghij"));
        Assert.Equal("fghij", response.Outputs["text_out"].StringVal[1].ToStringUtf8());
    }

    [Fact]
    public async Task RestBodiesDeeperThanTheJsonDepthLimitAre400AndShallowerOnesServed()
    {
        await using var server = await ServerProcess.StartAsync(
            "--model_name", "mlp", "--model_base_path", RepoPaths.Fixture("mlp_opset13"), "--max_json_depth", "4");
        var row = "[" + string.Join(",", Enumerable.Repeat("0.5", 8)) + "]";
        // instances → row → values: depth 3 inside the body object, within 4.
        var shallow = await PostAsync(server, "{\"instances\":[" + row + "]}");
        Assert.Equal(HttpStatusCode.OK, shallow.StatusCode);

        var deep = await PostAsync(server, "{\"instances\":[[[[[" + row + "]]]]]}");
        Assert.Equal(HttpStatusCode.BadRequest, deep.StatusCode);
        Assert.Contains("nested more than 4 levels", await deep.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var kserveDeep = await server.Http.PostAsync("/v2/models/mlp/infer",
            new StringContent("{\"inputs\":[{\"name\":\"x\",\"shape\":[1,8],\"datatype\":\"FP32\",\"data\":[[[[[[0.5]]]]]]}]}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, kserveDeep.StatusCode);

        var after = await PostAsync(server, "{\"instances\":[" + row + "]}");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    private static Task<HttpResponseMessage> PostAsync(ServerProcess server, string body) =>
        server.Http.PostAsync("/v1/models/mlp:predict", new StringContent(body, Encoding.UTF8, "application/json"));
}
