using RecServe.Embeddings.Redis;
using RecServe.Lifecycle.Config;

namespace RecServe.Lifecycle.Tests.Config;

/// <summary>A model's "redis" entry in the config file: parsed strictly, the password from the environment, under the flags.</summary>
public sealed class ModelConfigRedisTests
{
    private static readonly string BaseFolder = Path.Combine(Path.GetTempPath(), "recserve-config");

    private static string Config(string redis) =>
        "{\"model_config_list\": {\"config\": [{\"name\": \"m\", \"base_path\": \"/m\", \"redis\": " + redis + "}]}}";

    [Fact]
    public void EveryFieldIsReadAndThePasswordComesFromTheNamedVariable()
    {
        var variable = "RECSERVE_TEST_REDIS_PASSWORD_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, "s3cret");
        try
        {
            var config = Assert.Single(ModelConfigFile.Parse(Config(
                $$"""{"endpoints": "10.0.0.1:7000,10.0.0.2:7000", "password_env": "{{variable}}", "tls": true, "timeout_ms": 40, "on_failure": "fail"}"""), BaseFolder));

            Assert.Equal(new RedisClusterOverrides("10.0.0.1:7000,10.0.0.2:7000", "s3cret", true, 40, RedisFailureMode.Fail), config.Redis);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void AModelWithoutARedisEntryLeavesTheManifestsInCharge()
    {
        var config = Assert.Single(ModelConfigFile.Parse("{\"model_config_list\": {\"config\": [{\"name\": \"m\", \"base_path\": \"/m\"}]}}", BaseFolder));

        Assert.Null(config.Redis);
    }

    [Theory]
    [InlineData("""{"timeout_ms": 0}""", "redis.timeout_ms is not valid")]
    [InlineData("""{"on_failure": "retry"}""", "redis.on_failure is not valid")]
    [InlineData("""{"on_failure": 3}""", "redis.on_failure is not valid")]
    [InlineData("""{"password": "inline"}""", "redis.password is not valid")]
    [InlineData("""{"password_env": "RECSERVE_TEST_UNSET_VARIABLE_X"}""", "names RECSERVE_TEST_UNSET_VARIABLE_X, which is not set")]
    [InlineData("""["10.0.0.1:7000"]""", "redis must be an object")]
    public void AnInvalidEntryIsAClearError(string redis, string message)
    {
        var e = Assert.Throws<FormatException>(() => ModelConfigFile.Parse(Config(redis), BaseFolder));

        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.Contains("model 'm'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheServersFlagsWinOverTheModelsSettingsFieldByField()
    {
        var flags = new RedisClusterOverrides(Endpoints: "flag:1", OnFailure: RedisFailureMode.Degrade);
        var model = new RedisClusterOverrides("model:1", "pw", true, 40, RedisFailureMode.Fail);

        Assert.Equal(new RedisClusterOverrides("flag:1", "pw", true, 40, RedisFailureMode.Degrade), flags.Over(model));
        Assert.Equal(flags, flags.Over(null));
    }
}
