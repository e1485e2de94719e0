using RecServe.Lifecycle.Config;

namespace RecServe.Lifecycle.Tests.Config;

public sealed class ModelConfigFileTests
{
    private static readonly string BaseFolder = Path.Combine(Path.GetTempPath(), "recserve-config");

    private static string Config(params string[] models) =>
        "{\"model_config_list\": {\"config\": [" + string.Join(",", models) + "]}}";

    private static FormatException ParseFails(string json) =>
        Assert.Throws<FormatException>(() => ModelConfigFile.Parse(json, BaseFolder));

    [Fact]
    public void ParsesEachPolicyAndLabels()
    {
        var json = Config(
            """{"name": "latest", "base_path": "/models/a", "model_version_policy": {"latest": {"num_versions": 2}}, "version_labels": {"stable": 1, "canary": 2}}""",
            """{"name": "all", "base_path": "/models/b", "model_version_policy": {"all": {}}}""",
            """{"name": "specific", "base_path": "/models/c", "model_version_policy": {"specific": {"versions": [3, 5]}}}""");

        var configs = ModelConfigFile.Parse(json, BaseFolder);

        Assert.Equal(["latest", "all", "specific"], configs.Select(c => c.Name));
        Assert.Equal("/models/a", configs[0].BasePath);
        Assert.Equal(new VersionPolicy.Latest(2), configs[0].Policy);
        Assert.Equal(new Dictionary<string, long> { ["stable"] = 1, ["canary"] = 2 }, configs[0].Labels);
        Assert.IsType<VersionPolicy.All>(configs[1].Policy);
        Assert.Empty(configs[1].Labels);
        var specific = Assert.IsType<VersionPolicy.Specific>(configs[2].Policy);
        Assert.Equal([3L, 5L], specific.Versions);
    }

    [Fact]
    public void NoPolicyMeansLatestOne()
    {
        var config = Assert.Single(ModelConfigFile.Parse(Config("""{"name": "m", "base_path": "/m"}"""), BaseFolder));

        Assert.Equal(VersionPolicy.Default, config.Policy);
    }

    [Fact]
    public void LatestWithoutNumVersionsMeansOne()
    {
        var config = Assert.Single(ModelConfigFile.Parse(
            Config("""{"name": "m", "base_path": "/m", "model_version_policy": {"latest": {}}}"""), BaseFolder));

        Assert.Equal(new VersionPolicy.Latest(1), config.Policy);
    }

    [Fact]
    public void RelativeBasePathIsResolvedAgainstTheConfigFolder()
    {
        var config = Assert.Single(ModelConfigFile.Parse(Config("""{"name": "m", "base_path": "models/../dlrm"}"""), BaseFolder));

        Assert.Equal(Path.Combine(BaseFolder, "dlrm"), config.BasePath);
    }

    [Fact]
    public void LoadResolvesRelativeBasePathAgainstTheFileFolder()
    {
        var folder = Directory.CreateTempSubdirectory("recserve-config-");
        try
        {
            var file = Path.Combine(folder.FullName, "models.json");
            File.WriteAllText(file, Config("""{"name": "m", "base_path": "dlrm"}"""));

            var config = Assert.Single(ModelConfigFile.Load(file));

            Assert.Equal(Path.Combine(folder.FullName, "dlrm"), config.BasePath);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void AcceptsInt64WrittenAsStrings()
    {
        var json = Config(
            """{"name": "a", "base_path": "/a", "model_version_policy": {"latest": {"num_versions": "3"}}, "version_labels": {"stable": "9007199254740993"}}""",
            """{"name": "b", "base_path": "/b", "model_version_policy": {"specific": {"versions": ["4", 6]}}}""");

        var configs = ModelConfigFile.Parse(json, BaseFolder);

        Assert.Equal(new VersionPolicy.Latest(3), configs[0].Policy);
        Assert.Equal(9007199254740993L, configs[0].Labels["stable"]);
        Assert.Equal([4L, 6L], Assert.IsType<VersionPolicy.Specific>(configs[1].Policy).Versions);
    }

    [Fact]
    public void AcceptsCommentsAndTrailingCommas()
    {
        var json = """
            // served models
            {"model_config_list": {"config": [{"name": "m", "base_path": "/m",},]}}
            """;

        Assert.Equal("m", Assert.Single(ModelConfigFile.Parse(json, BaseFolder)).Name);
    }

    [Fact]
    public void EmptyListIsNoModels()
    {
        Assert.Empty(ModelConfigFile.Parse(Config(), BaseFolder));
    }

    [Fact]
    public void RejectsInvalidJson()
    {
        var error = ParseFails("{\"model_config_list\": ");

        Assert.Contains("not valid JSON", error.Message);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"model_config_list\": {}}")]
    [InlineData("{\"model_config_list\": {\"config\": {}}}")]
    public void RejectsMissingConfigList(string json)
    {
        var error = ParseFails(json);

        Assert.Contains("model_config_list", error.Message);
    }

    [Theory]
    [InlineData("""{"base_path": "/m"}""")]
    [InlineData("""{"name": "", "base_path": "/m"}""")]
    [InlineData("""{"name": 5, "base_path": "/m"}""")]
    public void RejectsMissingName(string model)
    {
        var error = ParseFails(Config(model));

        Assert.Contains("\"name\"", error.Message);
    }

    [Theory]
    [InlineData("""{"name": "m"}""")]
    [InlineData("""{"name": "m", "base_path": ""}""")]
    public void RejectsMissingBasePath(string model)
    {
        var error = ParseFails(Config(model));

        Assert.Contains("\"base_path\"", error.Message);
    }

    [Fact]
    public void RejectsDuplicateModel()
    {
        var error = ParseFails(Config("""{"name": "m", "base_path": "/a"}""", """{"name": "m", "base_path": "/b"}"""));

        Assert.Contains("'m' appears twice", error.Message);
    }

    [Theory]
    [InlineData("""{"newest": {}}""")]
    [InlineData("""{}""")]
    [InlineData("""{"specific": {}}""")]
    public void RejectsUnknownPolicy(string policy)
    {
        var error = ParseFails(Config($$"""{"name": "m", "base_path": "/m", "model_version_policy": {{policy}}}"""));

        Assert.Contains("'m'", error.Message);
        Assert.Contains("latest, all or specific", error.Message);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("\"0\"")]
    public void RejectsNumVersionsBelowOne(string count)
    {
        var error = ParseFails(Config("""{"name": "m", "base_path": "/m", "model_version_policy": {"latest": {"num_versions": """ + count + "}}}"));

        Assert.Contains("num_versions must be at least 1", error.Message);
    }

    [Fact]
    public void RejectsNumVersionsBeyondInt32InsteadOfWrappingIt()
    {
        // 2^32 + 1 would become 1 if cast to int.
        var error = ParseFails(Config("""{"name": "m", "base_path": "/m", "model_version_policy": {"latest": {"num_versions": 4294967297}}}"""));

        Assert.Contains("num_versions", error.Message);
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("\"one\"")]
    [InlineData("true")]
    public void RejectsNonIntegerLabel(string value)
    {
        var error = ParseFails(Config("""{"name": "m", "base_path": "/m", "version_labels": {"stable": """ + value + "}}"));

        Assert.Contains("version label 'stable' of model 'm' must be an integer", error.Message);
    }

    [Fact]
    public void RejectsNonIntegerSpecificVersion()
    {
        var error = ParseFails(Config("""{"name": "m", "base_path": "/m", "model_version_policy": {"specific": {"versions": ["x"]}}}"""));

        Assert.Contains("specific version of model 'm'", error.Message);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("{\"model_config_list\": []}")]
    [InlineData("{\"model_config_list\": {\"config\": [\"m\"]}}")]
    [InlineData("{\"model_config_list\": {\"config\": [{\"name\": \"m\", \"base_path\": \"/m\", \"model_version_policy\": \"latest\"}]}}")]
    [InlineData("{\"model_config_list\": {\"config\": [{\"name\": \"m\", \"base_path\": \"/m\", \"model_version_policy\": {\"latest\": 2}}]}}")]
    [InlineData("{\"model_config_list\": {\"config\": [{\"name\": \"m\", \"base_path\": \"/m\", \"model_version_policy\": {\"specific\": {\"versions\": 3}}}]}}")]
    [InlineData("{\"model_config_list\": {\"config\": [{\"name\": \"m\", \"base_path\": \"/m\", \"version_labels\": [1]}]}}")]
    public void RejectsValuesOfTheWrongJsonKindAsFormatErrors(string json)
    {
        ParseFails(json);
    }
}
