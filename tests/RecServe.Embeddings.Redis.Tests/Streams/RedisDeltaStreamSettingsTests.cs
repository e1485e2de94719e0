using RecServe.Embeddings.Redis.Streams;

namespace RecServe.Embeddings.Redis.Tests.Streams;

public sealed class RedisDeltaStreamSettingsTests
{
    [Fact]
    public void TheFlagGivesEndpointPasswordAndKeys()
    {
        var settings = RedisDeltaStreamSettings.Parse("10.0.0.1:6379,password=s3cret", environment: _ => "ignored");
        Assert.Equal("10.0.0.1:6379", settings.Endpoint);
        Assert.Equal("s3cret", settings.Password);
        Assert.Equal("recserve:deltas:dlrm", settings.KeyFor("dlrm"));
    }

    [Fact]
    public void WithoutAPasswordOptionTheEnvironmentVariableIsUsed()
    {
        var settings = RedisDeltaStreamSettings.Parse("redis:6379", "p:", name => name == RedisDeltaStreamSettings.PasswordVariable ? "fromenv" : null);
        Assert.Equal("fromenv", settings.Password);
        Assert.Equal("p:m", settings.KeyFor("m"));
        Assert.Null(RedisDeltaStreamSettings.Parse("redis:6379", environment: _ => null).Password);
    }

    [Theory]
    [InlineData("redis")]
    [InlineData("redis:0")]
    [InlineData("redis:70000")]
    [InlineData("redis:6379,user=x")]
    [InlineData("")]
    public void AMalformedValueIsAClearError(string text)
    {
        var error = Assert.Throws<ArgumentException>(() => RedisDeltaStreamSettings.Parse(text, environment: _ => null));
        Assert.False(string.IsNullOrEmpty(error.Message));
    }
}
