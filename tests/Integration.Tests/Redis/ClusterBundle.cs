using System.Text.Json;
using RecServe.Core.Bundles;
using RecServe.Runtime.Tests.Bundles;
using Tensorflow.Serving;

namespace Integration.Tests.Redis;

/// <summary>
/// The test bundle with its table "ta" served from a Redis Cluster (residency redis), pushed there with the real
/// <c>recserve table push</c>; and requests whose rows together touch every id of "ta", so every request reaches every
/// shard.
/// </summary>
internal static class ClusterBundle
{
    /// <summary>An id no table has: it gets the default row.</summary>
    public const long UnknownId = 424242;

    public static string DenseGraph => Path.Combine(RepoPaths.Root, "tests", "fixtures", "bundle_dense", "dense.onnx");

    /// <summary>
    /// The test bundle with "ta" in the cluster at <paramref name="endpoints"/>. The lookup timeout is generous: on a loaded
    /// test machine a healthy cluster can take longer than production's 100 ms, and a degraded row would break the
    /// bit-for-bit comparisons (a killed master fails fast whatever the timeout).
    /// </summary>
    public static TestBundle Create(string endpoints, long cacheBytes = 0, string onFailure = "degrade", int timeoutMs = 2000) =>
        new(DenseGraph, change: manifest =>
        {
            manifest.FormatVersion = BundleFormat.RedisTierVersion;
            manifest.Tables[0].Tier = new BundleTier
            {
                Residency = BundleFormat.ResidencyRedis,
                CacheBytes = cacheBytes,
                Redis = new BundleRedisTier { Endpoints = [.. endpoints.Split(',')], OnFailure = onFailure, TimeoutMs = timeoutMs },
            };
        });

    /// <summary>Pushes table "ta" of <paramref name="versionPath"/> with <c>recserve table push</c>; fails the test if it fails.</summary>
    public static async Task PushAsync(string versionPath, string endpoints)
    {
        using var push = RecServeCommand.Start("table", ["push", versionPath, "--table", "ta", "--redis", endpoints, "--groups", "64"]);
        var output = push.StandardOutput.ReadToEndAsync();
        var error = push.StandardError.ReadToEndAsync();
        await push.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        Assert.True(push.ExitCode == 0, $"recserve table push failed ({push.ExitCode}):\n{await output}\n{await error}");
    }

    /// <summary>A model config file serving each (name, base path).</summary>
    public static string WriteConfig(string folder, params (string Name, string BasePath)[] models)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "models.json");
        var config = new { model_config_list = new { config = models.Select(m => new { name = m.Name, base_path = m.BasePath }).ToArray() } };
        File.WriteAllText(path, JsonSerializer.Serialize(config));
        return path;
    }

    /// <summary>
    /// 13 rows: rows 0-11 hold ids IdA(0..47) from <paramref name="shift"/> on (cyclically), row 12 IdA(48), IdA(49), an
    /// unknown id and IdA(shift): every id of "ta" in each request.
    /// </summary>
    public static PredictRequest Request(string model, int shift = 0)
    {
        const int Rows = 13;
        var a = new long[Rows * 4];
        for (var i = 0; i < 48; i++)
        {
            a[i] = TestBundle.IdA((i + shift) % 48);
        }
        a[48] = TestBundle.IdA(48);
        a[49] = TestBundle.IdA(49);
        a[50] = UnknownId;
        a[51] = TestBundle.IdA(shift % 50);
        var b = new long[Rows];
        var dense = new float[Rows * 4];
        for (var r = 0; r < Rows; r++)
        {
            b[r] = TestBundle.IdB((r + shift) % 20);
            for (var j = 0; j < 4; j++)
            {
                dense[r * 4 + j] = (r - 6) * 0.25f + j * 0.5f;
            }
        }
        var request = new PredictRequest { ModelSpec = new ModelSpec { Name = model } };
        request.Inputs["dense"] = Protos.Floats(dense, [Rows, 4], content: true);
        request.Inputs["a"] = Protos.Int64s(a, [Rows, 4], content: true);
        request.Inputs["b"] = Protos.Int64s(b, [Rows, 1], content: true);
        return request;
    }

    /// <summary>The scores of <paramref name="request"/>.</summary>
    public static async Task<double[]> PredictAsync(ServerProcess server, PredictRequest request)
    {
        var response = await server.Predictions.PredictAsync(request, deadline: DateTime.UtcNow.AddSeconds(10));
        return Protos.Values(response.Outputs["score"]);
    }
}
