using System.CommandLine;
using System.CommandLine.Help;
using System.Globalization;
using System.Text.Json;

namespace RecServe.Cli.Configuration;

/// <summary>
/// Lets every <c>recserve serve</c> flag come from an environment variable (<c>RECSERVE_&lt;FLAG&gt;</c>) or a settings
/// file (the <c>"RecServe"</c> section of <c>appsettings.json</c>, or the file <c>--config</c> / <c>RECSERVE_CONFIG</c>
/// names). Precedence: command line, then environment, then file, then the flag's default.
/// </summary>
/// <remarks>
/// Entries are turned into command-line tokens for the flags the command line left out, so System.CommandLine parses
/// and validates them exactly as if they had been typed. Each entry is checked on its own first, so a bad value is
/// reported with the variable or file key it came from. Unknown keys in the file are errors; unknown <c>RECSERVE_*</c>
/// variables are not, because the prefix is shared (bench knobs, <c>--password-env</c> names, Kubernetes service
/// links).
/// </remarks>
internal static class ServeConfigSources
{
    /// <summary>Prefix of the environment variable of each serve flag.</summary>
    public const string EnvironmentPrefix = "RECSERVE_";

    /// <summary>The environment variable naming the settings file when <c>--config</c> is not given.</summary>
    public const string ConfigVariable = EnvironmentPrefix + "CONFIG";

    /// <summary>The settings file read from the working directory when none is named.</summary>
    public const string DefaultSettingsFile = "appsettings.json";

    /// <summary>The section of the settings file that holds serve flags (other sections belong to ASP.NET Core).</summary>
    public const string SettingsSection = "RecServe";

    /// <summary>The serve flag that names the settings file.</summary>
    public const string ConfigOptionName = "--config";

    /// <summary>The environment variable of <paramref name="option"/>: <c>--rest_api_port</c> → <c>RECSERVE_REST_API_PORT</c>.</summary>
    public static string VariableName(Option option) =>
        EnvironmentPrefix + option.Name.TrimStart('-').Replace('-', '_').ToUpperInvariant();

    /// <summary>
    /// <paramref name="args"/> with tokens appended for the serve flags that <paramref name="parsed"/> did not get
    /// from the command line but the environment or the settings file set.
    /// </summary>
    /// <exception cref="ConfigSourceException">A file or entry is unusable; the message names its source.</exception>
    public static string[] Apply(Command serve, ParseResult parsed, IReadOnlyList<string> args, Func<string, string?> environment, string workingDirectory)
    {
        var options = serve.Options.Where(o => o is not HelpOption && o.Name.StartsWith("--", StringComparison.Ordinal)).ToList();
        var fromFile = ReadSettingsFile(options, parsed, environment, workingDirectory);
        var tokens = new List<string>(args);
        foreach (var option in options)
        {
            if (option.Name == ConfigOptionName || parsed.GetResult(option) is { Implicit: false })
            {
                continue;
            }
            var variable = VariableName(option);
            var value = environment(variable);
            string source;
            if (!string.IsNullOrEmpty(value))
            {
                source = $"environment variable {variable}";
            }
            else if (fromFile.TryGetValue(option, out var entry))
            {
                (value, source) = entry;
            }
            else
            {
                continue;
            }
            Validate(serve, option, value, source);
            tokens.Add(option.Name);
            tokens.Add(value);
        }
        return [.. tokens];
    }

    /// <summary>Parses the entry alone, so that its errors can name where it came from.</summary>
    private static void Validate(Command serve, Option option, string value, string source)
    {
        var errors = serve.Parse([option.Name, value]).Errors;
        if (errors.Count > 0)
        {
            throw new ConfigSourceException($"{source}: {errors[0].Message}");
        }
    }

    private static Dictionary<Option, (string Value, string Source)> ReadSettingsFile(
        List<Option> options, ParseResult parsed, Func<string, string?> environment, string workingDirectory)
    {
        var configOption = options.FirstOrDefault(o => o.Name == ConfigOptionName);
        string? path = null;
        string? namedBy = null;
        if (configOption is not null && parsed.GetResult(configOption) is { Implicit: false })
        {
            path = parsed.GetValue((Option<string?>)configOption);
            namedBy = ConfigOptionName;
        }
        else if (environment(ConfigVariable) is { Length: > 0 } fromEnvironment)
        {
            path = fromEnvironment;
            namedBy = $"environment variable {ConfigVariable}";
        }
        if (path is null)
        {
            var fallback = Path.Combine(workingDirectory, DefaultSettingsFile);
            if (!File.Exists(fallback))
            {
                return [];
            }
            path = fallback;
        }
        else
        {
            path = Path.GetFullPath(path, workingDirectory);
            if (!File.Exists(path))
            {
                throw new ConfigSourceException($"{namedBy} names {path}, which does not exist");
            }
        }
        return ReadSection(path, options);
    }

    private static Dictionary<Option, (string Value, string Source)> ReadSection(string path, List<Option> options)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new ConfigSourceException($"{path}: not valid JSON: {e.Message}");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ConfigSourceException($"{path}: expected a JSON object with a \"{SettingsSection}\" section");
            }
            JsonElement? section = null;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (string.Equals(property.Name, SettingsSection, StringComparison.OrdinalIgnoreCase))
                {
                    section = property.Value;
                }
                else if (Find(options, property.Name) is not null)
                {
                    // A flag at the top level would otherwise be ignored without a word.
                    throw new ConfigSourceException($"{path}: \"{property.Name}\" is a serve flag; put it inside the \"{SettingsSection}\" section");
                }
            }
            if (section is not { } entries)
            {
                return [];
            }
            if (entries.ValueKind != JsonValueKind.Object)
            {
                throw new ConfigSourceException($"{path}: \"{SettingsSection}\" must be an object of flag names and values");
            }
            var values = new Dictionary<Option, (string, string)>();
            foreach (var entry in entries.EnumerateObject())
            {
                var source = $"{path}: {SettingsSection}:{entry.Name}";
                var option = Find(options, entry.Name)
                    ?? throw new ConfigSourceException($"{source}: unknown key; keys are the flags of 'recserve serve --help' without the leading --");
                if (option.Name == ConfigOptionName)
                {
                    throw new ConfigSourceException($"{source}: a settings file cannot name another settings file");
                }
                if (ValueText(entry.Value, source) is { } text)
                {
                    values[option] = (text, source);
                }
            }
            return values;
        }
    }

    private static Option? Find(List<Option> options, string key)
    {
        var name = "--" + key.TrimStart('-');
        return options.FirstOrDefault(o => string.Equals(o.Name, name, StringComparison.OrdinalIgnoreCase)
            || o.Aliases.Any(a => string.Equals(a, name, StringComparison.OrdinalIgnoreCase)));
    }

    private static string? ValueText(JsonElement value, string source) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => bool.TrueString.ToLower(CultureInfo.InvariantCulture),
        JsonValueKind.False => bool.FalseString.ToLower(CultureInfo.InvariantCulture),
        JsonValueKind.Null => null,
        _ => throw new ConfigSourceException($"{source}: expected a string, a number or true/false, got {value.ValueKind.ToString().ToLowerInvariant()}"),
    };
}
