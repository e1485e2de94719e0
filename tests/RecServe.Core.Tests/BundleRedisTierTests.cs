using RecServe.Core.Bundles;
using Xunit;

namespace RecServe.Core.Tests;

public sealed class BundleRedisTierTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("recserve-manifest-redis-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static BundleManifest RedisManifest() => new()
    {
        FormatVersion = BundleFormat.RedisTierVersion,
        SparseFeatures = [new BundleSparseFeature { Name = "user", Table = "users", GraphInput = "user.pooled" }],
        Outputs = [new BundleOutput { Name = "p", Dtype = "float32", Shape = [-1, 1] }],
        Tables =
        [
            new BundleTable
            {
                Name = "users", Path = "tables/users", Dim = 64, Dtype = "fp16", Rows = 10,
                Tier = new BundleTier
                {
                    Residency = BundleFormat.ResidencyRedis, CacheBytes = 1 << 20,
                    Redis = new BundleRedisTier { Endpoints = ["10.0.0.1:6379", "10.0.0.2:6379"], PasswordEnv = "RECSERVE_REDIS_PASSWORD", OnFailure = "fail" },
                },
            },
        ],
    };

    [Fact]
    public void RedisTierReadsBack()
    {
        BundleManifestFile.Write(_folder, RedisManifest());
        var json = File.ReadAllText(Path.Combine(_folder, BundleFormat.ManifestFileName));
        var redis = BundleManifestFile.Read(_folder).Tables[0].Tier.Redis;

        Assert.Contains("\"password_env\": \"RECSERVE_REDIS_PASSWORD\"", json, StringComparison.Ordinal);
        Assert.Contains("\"timeout_ms\": 100", json, StringComparison.Ordinal);
        Assert.NotNull(redis);
        Assert.Equal(["10.0.0.1:6379", "10.0.0.2:6379"], redis.Endpoints);
        Assert.Equal("fail", redis.OnFailure);
    }

    [Fact]
    public void TierWithoutRedisDoesNotWriteTheField()
    {
        var manifest = RedisManifest();
        manifest.FormatVersion = BundleFormat.Version;
        manifest.Tables[0].Tier = new BundleTier();

        Assert.DoesNotContain("redis", BundleManifestFile.ToJson(manifest), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("version", "needs format_version 2")]
    [InlineData("no-object", "no redis object")]
    [InlineData("stray-object", "has a redis object but residency 'mapped'")]
    [InlineData("endpoint", "'localhost' is not host:port")]
    [InlineData("no-endpoints", "endpoints is empty")]
    [InlineData("timeout", "timeouts must be positive")]
    [InlineData("on-failure", "on_failure is 'retry'")]
    public void BrokenRedisTierNamesTheProblem(string breakage, string expected)
    {
        var manifest = RedisManifest();
        var tier = manifest.Tables[0].Tier;
        switch (breakage)
        {
            case "version": manifest.FormatVersion = BundleFormat.Version; break;
            case "no-object": tier.Redis = null; break;
            case "stray-object": tier.Residency = BundleFormat.ResidencyMapped; break;
            case "endpoint": tier.Redis!.Endpoints = ["localhost"]; break;
            case "no-endpoints": tier.Redis!.Endpoints = []; break;
            case "timeout": tier.Redis!.TimeoutMs = 0; break;
            case "on-failure": tier.Redis!.OnFailure = "retry"; break;
        }

        Assert.Contains(BundleManifestValidator.Validate(manifest), e => e.Contains(expected, StringComparison.Ordinal));
    }
}
