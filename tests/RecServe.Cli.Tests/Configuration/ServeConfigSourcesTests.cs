using System.CommandLine;
using RecServe.Cli.Configuration;

namespace RecServe.Cli.Tests.Configuration;

/// <summary>Serve flags from the command line, RECSERVE_* variables and appsettings.json: precedence and errors.</summary>
public sealed class ServeConfigSourcesTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "recserve-config-tests", Guid.NewGuid().ToString("N"));
    private readonly Dictionary<string, string> _environment = [];

    public ServeConfigSourcesTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void CommandLineBeatsEnvironmentBeatsFileBeatsDefault()
    {
        WriteSettings("""{ "RecServe": { "port": 7001, "rest_api_port": 7002, "model_name": "from-file", "max_json_depth": 7 } }""");
        _environment["RECSERVE_REST_API_PORT"] = "8002";
        _environment["RECSERVE_MODEL_NAME"] = "from-env";

        var parsed = Parse("serve", "--model_name", "from-command-line");

        Assert.Equal("from-command-line", parsed.GetValue<string>("--model_name"));
        Assert.Equal(8002, parsed.GetValue<int>("--rest_api_port"));
        Assert.Equal(7001, parsed.GetValue<int>("--port"));
        Assert.Equal(7, parsed.GetValue<int>("--max_json_depth"));
        Assert.Equal(1.0, parsed.GetValue<double>("--file_system_poll_wait_seconds"));
    }

    [Fact]
    public void BooleanFlagsCanBeTurnedOnAndOffFromEitherSource()
    {
        WriteSettings("""{ "RecServe": { "enable_batching": true, "allow_spinning": true } }""");
        _environment["RECSERVE_ALLOW_SPINNING"] = "false";

        var parsed = Parse("serve");

        Assert.True(parsed.GetValue<bool>("--enable_batching"));
        Assert.False(parsed.GetValue<bool>("--allow_spinning"));
    }

    [Fact]
    public void TheAdminTokenVariableStillWorks()
    {
        _environment["RECSERVE_ADMIN_TOKEN"] = "s3cret";

        Assert.Equal("s3cret", Parse("serve").GetValue<string>("--admin_token"));
    }

    [Fact]
    public void EmptyAndUnknownVariablesAreIgnored()
    {
        _environment["RECSERVE_PORT"] = "";
        _environment["RECSERVE_BENCH_ROWS"] = "12";
        _environment["RECSERVE_REDIS_PASSWORD"] = "x";

        Assert.Equal(8500, Parse("serve").GetValue<int>("--port"));
    }

    [Fact]
    public void ConfigFlagBeatsConfigVariableBeatsTheWorkingDirectoryFile()
    {
        WriteSettings("""{ "RecServe": { "port": 1 } }""");
        var fromVariable = WriteFile("variable.json", """{ "RecServe": { "port": 2 } }""");
        var fromFlag = WriteFile("flag.json", """{ "RecServe": { "port": 3 } }""");

        Assert.Equal(1, Parse("serve").GetValue<int>("--port"));
        _environment[ServeConfigSources.ConfigVariable] = fromVariable;
        Assert.Equal(2, Parse("serve").GetValue<int>("--port"));
        Assert.Equal(3, Parse("serve", "--config", fromFlag).GetValue<int>("--port"));
    }

    [Fact]
    public void OtherSectionsOfTheFileAreLeftToAspNetCore()
    {
        WriteSettings("""{ "Logging": { "LogLevel": { "Default": "Warning" } }, "RecServe": { "port": 9 } }""");

        Assert.Equal(9, Parse("serve").GetValue<int>("--port"));
    }

    [Fact]
    public void ABadVariableValueNamesTheVariable()
    {
        _environment["RECSERVE_REST_API_PORT"] = "eighty";

        var error = Assert.Throws<ConfigSourceException>(() => Parse("serve"));

        Assert.StartsWith("environment variable RECSERVE_REST_API_PORT: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("'eighty'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ABadFileValueNamesTheFileAndKey()
    {
        var path = WriteSettings("""{ "RecServe": { "max_batch_rows": "many" } }""");

        var error = Assert.Throws<ConfigSourceException>(() => Parse("serve"));

        Assert.StartsWith($"{path}: RecServe:max_batch_rows: ", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "RecServe": { "rest_port": 1 } }""", "RecServe:rest_port: unknown key")]
    [InlineData("""{ "RecServe": { "port": [1, 2] } }""", "RecServe:port: expected a string, a number or true/false")]
    [InlineData("""{ "port": 1 }""", "\"port\" is a serve flag; put it inside the \"RecServe\" section")]
    [InlineData("""{ "RecServe": 5 }""", "\"RecServe\" must be an object")]
    [InlineData("""{ "RecServe": { "config": "other.json" } }""", "cannot name another settings file")]
    [InlineData("""{ "RecServe": { "port": 1, } ,""", "not valid JSON")]
    public void AnUnusableFileIsRejectedNamingIt(string json, string expected)
    {
        var path = WriteSettings(json);

        var error = Assert.Throws<ConfigSourceException>(() => Parse("serve"));

        Assert.StartsWith(path + ": ", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingNamedFileIsAnErrorButAMissingDefaultIsNot()
    {
        Assert.Equal(8500, Parse("serve").GetValue<int>("--port"));

        var flag = Assert.Throws<ConfigSourceException>(() => Parse("serve", "--config", "nope.json"));
        Assert.Equal($"--config names {Path.Combine(_folder, "nope.json")}, which does not exist", flag.Message);
        _environment[ServeConfigSources.ConfigVariable] = "/nonexistent/settings.json";
        var variable = Assert.Throws<ConfigSourceException>(() => Parse("serve"));
        Assert.Equal("environment variable RECSERVE_CONFIG names /nonexistent/settings.json, which does not exist", variable.Message);
    }

    [Fact]
    public async Task TheCommandExitsNonZeroWithOneLineNamingTheSource()
    {
        _environment["RECSERVE_MAX_JSON_DEPTH"] = "deep";
        using var error = new StringWriter();

        var code = await RecServeCli.RunAsync(RecServeCli.CreateRoot(), ["serve"], Lookup, _folder, error);

        Assert.Equal(RecServeCli.UsageError, code);
        var line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("recserve serve: environment variable RECSERVE_MAX_JSON_DEPTH: ", line, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryServeFlagHasAVariableAndAFileKey()
    {
        var serve = RecServeCli.CreateRoot().Subcommands.Single(c => c.Name == "serve");
        foreach (var option in serve.Options.Where(o => o.Name.StartsWith("--", StringComparison.Ordinal) && o.Name != "--config"
            && o.ValueType != typeof(bool)))
        {
            var key = option.Name[2..];
            WriteSettings($$"""{ "RecServe": { "{{key}}": "not a value?" } }""");
            // A value no number or choice accepts: a free-form string flag takes it, every other flag must reject it
            // naming the key; either way the key was read.
            try
            {
                Assert.Equal("not a value?", Parse("serve").GetValue<string>(option.Name));
            }
            catch (ConfigSourceException e)
            {
                Assert.Contains($"RecServe:{key}: ", e.Message, StringComparison.Ordinal);
            }
            Assert.Equal("RECSERVE_" + key.ToUpperInvariant(), ServeConfigSources.VariableName(option));
        }
    }

    private ParseResult Parse(params string[] args)
    {
        var root = RecServeCli.CreateRoot();
        var parsed = root.Parse(args);
        Assert.Empty(parsed.Errors);
        var expanded = root.Parse(ServeConfigSources.Apply(parsed.CommandResult.Command, parsed, args, Lookup, _folder));
        Assert.Empty(expanded.Errors);
        return expanded;
    }

    private string? Lookup(string name) => _environment.GetValueOrDefault(name);

    private string WriteSettings(string json) => WriteFile(ServeConfigSources.DefaultSettingsFile, json);

    private string WriteFile(string name, string json)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, json);
        return path;
    }
}
