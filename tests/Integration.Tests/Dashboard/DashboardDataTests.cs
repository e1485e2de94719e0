using System.Net;
using System.Text;
using System.Text.Json;

namespace Integration.Tests.Dashboard;

/// <summary>The dashboard's JSON document and its embedded page, read over HTTP from a real server.</summary>
public sealed class DashboardDataTests : IAsyncLifetime
{
    private ServerProcess _server = null!;

    public async Task InitializeAsync() =>
        _server = await ServerProcess.StartAsync("--model_name", "mlp", "--model_base_path", RepoPaths.Fixture("mlp_opset13"));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task TrafficAndErrorsShowUpInTheDocument()
    {
        for (var i = 0; i < 30; i++)
        {
            using var ok = await PredictAsync("[[1,2,3,4,5,6,7,8]]");
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
        for (var i = 0; i < 10; i++)
        {
            using var bad = await PredictAsync("[[1,2,3]]");
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        }

        JsonElement model = default;
        await ServerProcess.WaitForAsync(async () =>
        {
            model = (await ReadAsync()).GetProperty("models")[0];
            return Sum(model, p => p.GetProperty("requests").GetDouble()) >= 40 && model.GetProperty("qps").GetDouble() > 0;
        }, TimeSpan.FromSeconds(30), "the dashboard to count the 40 requests");

        Assert.Equal("mlp", model.GetProperty("name").GetString());
        var version = Assert.Single(model.GetProperty("versions").EnumerateArray());
        Assert.Equal(1, version.GetProperty("version").GetInt64());
        Assert.Equal("AVAILABLE", version.GetProperty("state").GetString());
        Assert.True(version.GetProperty("since").GetDateTimeOffset() <= DateTimeOffset.UtcNow);
        Assert.Equal(JsonValueKind.Null, version.GetProperty("error").ValueKind);
        // The history adds up to what was sent: every request once, the 10 bad ones as errors.
        Assert.Equal(40, Sum(model, p => p.GetProperty("requests").GetDouble()));
        Assert.Equal(10, Math.Round(Sum(model, p => p.GetProperty("requests").GetDouble() * p.GetProperty("error_rate").GetDouble()), 2));
        Assert.True(model.GetProperty("p50_ms").GetDouble() > 0);
        Assert.True(model.GetProperty("p999_ms").GetDouble() >= model.GetProperty("p50_ms").GetDouble());
    }

    [Fact]
    public async Task ThePageAndItsAssetsComeFromTheServer()
    {
        var page = await _server.Http.GetStringAsync("/");
        Assert.Contains("dashboard/dashboard.js", page, StringComparison.Ordinal);
        using var script = await _server.Http.GetAsync("/dashboard/dashboard.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.Contains("v1/dashboard", await script.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var missing = await _server.Http.GetAsync("/dashboard/nope.js");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    private static double Sum(JsonElement model, Func<JsonElement, double> value) =>
        model.GetProperty("history").EnumerateArray().Sum(value);

    private Task<HttpResponseMessage> PredictAsync(string instances) =>
        _server.Http.PostAsync("/v1/models/mlp:predict", new StringContent($"{{\"instances\": {instances}}}", Encoding.UTF8, "application/json"));

    private async Task<JsonElement> ReadAsync()
    {
        using var document = JsonDocument.Parse(await _server.Http.GetStringAsync("/v1/dashboard"));
        return document.RootElement.Clone();
    }
}
