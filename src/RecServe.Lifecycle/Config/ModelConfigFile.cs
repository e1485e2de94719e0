using System.Text.Json;

namespace RecServe.Lifecycle.Config;

/// <summary>
/// Reads the multi-model config file: TF-Serving's ModelServerConfig written as JSON, with its field names:
/// <code>
/// {"model_config_list": {"config": [
///   {"name": "dlrm", "base_path": "/models/dlrm",
///    "model_version_policy": {"latest": {"num_versions": 2}},
///    "version_labels": {"stable": 1, "canary": 2}}]}}
/// </code>
/// Policies: <c>{"latest": {"num_versions": N}}</c>, <c>{"all": {}}</c>, <c>{"specific": {"versions": [1, 2]}}</c>.
/// Relative base paths are taken relative to the config file's folder.
/// </summary>
public static class ModelConfigFile
{
    /// <summary>Parses the file at <paramref name="path"/>; <see cref="FormatException"/> says what is wrong.</summary>
    public static IReadOnlyList<ModelConfig> Load(string path)
    {
        var text = File.ReadAllText(path);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        return Parse(text, folder);
    }

    /// <summary>Parses config JSON; relative base paths are resolved against <paramref name="baseFolder"/>.</summary>
    public static IReadOnlyList<ModelConfig> Parse(string json, string baseFolder)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new FormatException($"model config is not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            try
            {
                return ParseModels(document.RootElement, baseFolder);
            }
            catch (InvalidOperationException e)
            {
                // JsonElement throws this when a value has the wrong kind (a string where an object belongs).
                throw new FormatException($"model config has a value of the wrong JSON type: {e.Message}", e);
            }
        }
    }

    private static List<ModelConfig> ParseModels(JsonElement root, string baseFolder)
    {
        if (!root.TryGetProperty("model_config_list", out var list) || !list.TryGetProperty("config", out var configs) || configs.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("model config needs {\"model_config_list\": {\"config\": [...]}}");
        }
        var result = new List<ModelConfig>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in configs.EnumerateArray())
        {
            var model = ParseModel(entry, baseFolder);
            if (!names.Add(model.Name))
            {
                throw new FormatException($"model '{model.Name}' appears twice in the config");
            }
            result.Add(model);
        }
        return result;
    }

    private static ModelConfig ParseModel(JsonElement entry, string baseFolder)
    {
        var name = RequiredString(entry, "name");
        var basePath = RequiredString(entry, "base_path");
        if (!Path.IsPathRooted(basePath))
        {
            basePath = Path.GetFullPath(Path.Combine(baseFolder, basePath));
        }
        var policy = entry.TryGetProperty("model_version_policy", out var policyElement)
            ? ParsePolicy(name, policyElement)
            : VersionPolicy.Default;
        var labels = new Dictionary<string, long>(StringComparer.Ordinal);
        if (entry.TryGetProperty("version_labels", out var labelElement))
        {
            foreach (var label in labelElement.EnumerateObject())
            {
                labels[label.Name] = ReadInt64(label.Value, $"version label '{label.Name}' of model '{name}'");
            }
        }
        return new ModelConfig(name, basePath, policy, labels)
        {
            Redis = entry.TryGetProperty("redis", out var redis) ? ParseRedis(name, redis) : null,
        };
    }

    /// <summary>
    /// <c>"redis": {"endpoints": "h:p,h:p", "password_env": "VAR", "tls": true, "timeout_ms": 50, "on_failure": "fail"}</c>;
    /// the password is read from the named environment variable, never written in the file.
    /// </summary>
    private static Embeddings.Redis.RedisClusterOverrides ParseRedis(string model, JsonElement element)
    {
        var where = $"model '{model}': redis";
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"{where} must be an object");
        }
        string? endpoints = null, password = null;
        bool? tls = null;
        int? timeoutMs = null;
        Embeddings.Redis.RedisFailureMode? onFailure = null;
        foreach (var field in element.EnumerateObject())
        {
            switch (field.Name)
            {
                case "endpoints" when field.Value.ValueKind == JsonValueKind.String:
                    endpoints = field.Value.GetString();
                    break;
                case "password_env" when field.Value.ValueKind == JsonValueKind.String:
                    var variable = field.Value.GetString()!;
                    password = Environment.GetEnvironmentVariable(variable)
                        ?? throw new FormatException($"{where}.password_env names {variable}, which is not set");
                    break;
                case "tls" when field.Value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                    tls = field.Value.GetBoolean();
                    break;
                case "timeout_ms" when field.Value.TryGetInt32(out var ms) && ms > 0:
                    timeoutMs = ms;
                    break;
                case "on_failure" when field.Value.ValueKind == JsonValueKind.String && field.Value.GetString() is "degrade" or "fail":
                    onFailure = field.Value.GetString() == "fail" ? Embeddings.Redis.RedisFailureMode.Fail : Embeddings.Redis.RedisFailureMode.Degrade;
                    break;
                default:
                    throw new FormatException(
                        $"{where}.{field.Name} is not valid (endpoints: \"host:port,...\", password_env: a variable name, tls: true|false, timeout_ms: a positive number, on_failure: degrade|fail)");
            }
        }
        return new Embeddings.Redis.RedisClusterOverrides(endpoints, password, tls, timeoutMs, onFailure);
    }

    private static VersionPolicy ParsePolicy(string model, JsonElement element)
    {
        if (element.TryGetProperty("latest", out var latest))
        {
            var count = latest.TryGetProperty("num_versions", out var n) ? ReadInt64(n, $"num_versions of model '{model}'") : 1;
            if (count < 1)
            {
                throw new FormatException($"model '{model}': num_versions must be at least 1");
            }
            if (count > int.MaxValue)
            {
                throw new FormatException($"model '{model}': num_versions {count} is too large");
            }
            return new VersionPolicy.Latest((int)count);
        }
        if (element.TryGetProperty("all", out _))
        {
            return new VersionPolicy.All();
        }
        if (element.TryGetProperty("specific", out var specific) && specific.TryGetProperty("versions", out var versions))
        {
            var list = new List<long>();
            foreach (var v in versions.EnumerateArray())
            {
                list.Add(ReadInt64(v, $"a specific version of model '{model}'"));
            }
            return new VersionPolicy.Specific(list);
        }
        throw new FormatException($"model '{model}': model_version_policy must be latest, all or specific");
    }

    private static string RequiredString(JsonElement entry, string property)
    {
        if (entry.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text)
        {
            return text;
        }
        throw new FormatException($"every model config needs a non-empty \"{property}\"");
    }

    // Protobuf's JSON mapping writes int64 as a string, so accept both forms.
    private static long ReadInt64(JsonElement value, string what)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number))
        {
            return number;
        }
        if (value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString(), out number))
        {
            return number;
        }
        throw new FormatException($"{what} must be an integer");
    }
}
