using System.Text.RegularExpressions;
using Grpc.Core;
using Tensorflow.Serving;

namespace Integration.Tests;

/// <summary>With batching on, concurrent single-row requests each get their own answer; metrics count them.</summary>
public sealed class BatchingAndMetricsTests : IAsyncLifetime
{
    private ServerProcess _server = null!;
    private string _folder = null!;

    public async Task InitializeAsync()
    {
        _folder = Path.Combine(Path.GetTempPath(), "recserve-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
        var parameters = Path.Combine(_folder, "batching.txt");
        await File.WriteAllTextAsync(parameters, "max_batch_size { value: 16 }\nbatch_timeout_micros { value: 2000 }\nnum_batch_threads { value: 2 }\nallowed_batch_sizes: 4\nallowed_batch_sizes: 16\n");
        _server = await ServerProcess.StartAsync("--model_name", "mlp", "--model_base_path", RepoPaths.Fixture("mlp_opset17"),
            "--enable_batching", "--batching_parameters_file", parameters);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task ConcurrentSingleRowRequestsEachGetTheirOwnAnswer()
    {
        using var reference = new OrtReference(Path.Combine(RepoPaths.Fixture("mlp_opset17"), "2", "model.onnx"));
        var inputs = Enumerable.Range(0, 64).Select(i => reference.RandomInputs(batch: 1, seed: 100 + i)).ToList();
        var responses = await Task.WhenAll(inputs.Select(async input =>
        {
            var request = new PredictRequest { ModelSpec = new ModelSpec { Name = "mlp" } };
            request.Inputs["x"] = input[0].ToProto(content: true);
            return await _server.Predictions.PredictAsync(request);
        }));
        for (var i = 0; i < inputs.Count; i++)
        {
            var expected = reference.Run(inputs[i])["y"].Numbers!;
            Assert.Equal([1L, 3L], Protos.ShapeOf(responses[i].Outputs["y"]));
            ExampleModelTests.AssertClose(expected, Protos.Values(responses[i].Outputs["y"]), 1e-6);
        }

        var metrics = await _server.Http.GetStringAsync("/monitoring/prometheus/metrics");
        Assert.True(Sample(metrics, "recserve_requests_total", "model=\"mlp\"", "api=\"grpc\"", "status=\"OK\"") >= 64);
        Assert.True(Sample(metrics, "recserve_batch_size_count", "model=\"mlp\"") >= 1);
        // Padding to allowed sizes never shows in the rows counted: exactly the 64 real rows (plus other tests').
        Assert.True(Sample(metrics, "recserve_batch_size_sum", "model=\"mlp\"") >= 64);
        Assert.True(Sample(metrics, "recserve_batch_queue_wait_seconds_count", "model=\"mlp\"") >= 64);
    }

    [Fact]
    public async Task MetricsEndpointsExposeTheSeriesAndCountErrors()
    {
        var bad = new PredictRequest { ModelSpec = new ModelSpec { Name = "mlp" } };
        bad.Inputs["x"] = Protos.Floats([1f, 2f], [1, 2], content: true);
        var error = await Assert.ThrowsAsync<RpcException>(async () => await _server.Predictions.PredictAsync(bad));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);

        var text = await _server.Http.GetStringAsync("/metrics");
        Assert.True(Sample(text, "recserve_requests_total", "model=\"mlp\"", "status=\"INVALID_ARGUMENT\"") >= 1);
        Assert.Equal(1, Sample(text, "recserve_model_versions_available", "model=\"mlp\""));
        foreach (var series in new[] { "recserve_request_latency_seconds_bucket", "recserve_dense_stage_seconds_bucket", "recserve_batch_queue_rows" })
        {
            Assert.Contains(series, text);
        }
    }

    /// <summary>Sum of the samples of <paramref name="name"/> whose labels include every one of <paramref name="labels"/>.</summary>
    private static double Sample(string text, string name, params string[] labels)
    {
        double total = 0;
        foreach (Match match in Regex.Matches(text, "^" + Regex.Escape(name) + @"\{([^}]*)\} (\S+)$", RegexOptions.Multiline))
        {
            if (labels.All(match.Groups[1].Value.Contains))
            {
                total += double.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        return total;
    }
}
