using RecServe.Core.Bundles;

namespace RecServe.Embeddings.Redis.Tests;

/// <summary>The server's --redis_* flags over a manifest's connection settings.</summary>
public sealed class RedisClusterOverridesTests
{
    private static readonly BundleRedisTier Manifest = new()
    {
        Endpoints = ["10.0.0.1:6379"],
        PasswordEnv = "UNSET_FOR_THIS_TEST",
        Tls = true,
        TimeoutMs = 50,
        OnFailure = "degrade",
    };

    [Fact]
    public void EveryGivenFlagReplacesTheManifestsValue()
    {
        var settings = RedisClusterSettings.FromManifest(Manifest, _ => "from-env");
        var overrides = new RedisClusterOverrides("127.0.0.1:7000, 127.0.0.1:7001", "from-flag", false, 250, RedisFailureMode.Fail);

        var applied = overrides.Apply(settings);

        Assert.Equal(["127.0.0.1:7000", "127.0.0.1:7001"], applied.Endpoints);
        Assert.Equal("from-flag", applied.Password);
        Assert.False(applied.Tls);
        Assert.Equal(TimeSpan.FromMilliseconds(250), applied.EffectiveTimeout);
        Assert.Equal(RedisFailureMode.Fail, applied.OnFailure);
    }

    [Fact]
    public void NoFlagsKeepTheManifest()
    {
        var settings = RedisClusterSettings.FromManifest(Manifest, _ => "from-env");

        Assert.Equal(settings, RedisClusterOverrides.None.Apply(settings));
        Assert.Equal("from-env", settings.Password);
        Assert.Equal(TimeSpan.FromMilliseconds(50), settings.EffectiveTimeout);
    }

    [Theory]
    [InlineData("degrade", RedisFailureMode.Degrade)]
    [InlineData("fail", RedisFailureMode.Fail)]
    public void FailureModesParse(string text, RedisFailureMode mode) => Assert.Equal(mode, RedisClusterOverrides.ParseFailureMode(text));

    [Fact]
    public void AnUnknownFailureModeIsRefusedByName() =>
        Assert.Contains("expected degrade or fail", Assert.Throws<ArgumentException>(() => RedisClusterOverrides.ParseFailureMode("retry")).Message, StringComparison.Ordinal);
}
