using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace RecServe.Runtime.Batching;

/// <summary>
/// Reads <c>--batching_parameters_file</c>: TF-Serving's text format (<c>max_batch_size { value: 128 }</c>,
/// <c>allowed_batch_sizes: 32</c>), so existing files work unchanged, or the same fields as JSON
/// (<c>{"max_batch_size": 128, "allowed_batch_sizes": [32, 128]}</c>).
/// </summary>
public static partial class BatchingParametersFile
{
    /// <summary>Parses the file at <paramref name="path"/>; <see cref="FormatException"/> names what is wrong.</summary>
    public static BatchingOptions Load(string path) => Parse(File.ReadAllText(path));

    /// <summary>Parses text-format or JSON batching parameters.</summary>
    public static BatchingOptions Parse(string text)
    {
        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        var allowed = new List<int>();
        if (text.TrimStart().StartsWith('{'))
        {
            ReadJson(text, values, allowed);
        }
        else
        {
            ReadText(text, values, allowed);
        }
        var defaults = new BatchingOptions();
        var options = new BatchingOptions
        {
            MaxBatchSize = (int)values.GetValueOrDefault("max_batch_size", defaults.MaxBatchSize),
            BatchTimeoutMicros = values.GetValueOrDefault("batch_timeout_micros", defaults.BatchTimeoutMicros),
            NumBatchThreads = (int)values.GetValueOrDefault("num_batch_threads", defaults.NumBatchThreads),
            MaxEnqueuedBatches = (int)values.GetValueOrDefault("max_enqueued_batches", defaults.MaxEnqueuedBatches),
            AllowedBatchSizes = allowed,
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new FormatException(e.Message, e);
        }
        return options;
    }

    private static readonly string[] KnownFields = ["max_batch_size", "batch_timeout_micros", "num_batch_threads", "max_enqueued_batches"];

    private static void ReadText(string text, Dictionary<string, long> values, List<int> allowed)
    {
        foreach (Match match in WrappedValue().Matches(text))
        {
            values[match.Groups[1].Value] = long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
        }
        foreach (Match match in AllowedSize().Matches(text))
        {
            allowed.Add(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
        }
        foreach (Match match in FieldName().Matches(text))
        {
            var name = match.Groups[1].Value;
            if (name != "value" && name != "allowed_batch_sizes" && name != "pad_variable_length_inputs" && !KnownFields.Contains(name))
            {
                throw new FormatException($"batching parameters: unknown field '{name}'");
            }
            if (KnownFields.Contains(name) && !values.ContainsKey(name))
            {
                // The field is there but its value did not match '{ value: N }': never fall back to the default silently.
                throw new FormatException($"batching parameters: {name} must be written as '{name} {{ value: N }}' with a whole number N");
            }
        }
    }

    private static void ReadJson(string text, Dictionary<string, long> values, List<int> allowed)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == "allowed_batch_sizes")
                {
                    foreach (var size in property.Value.EnumerateArray())
                    {
                        allowed.Add(size.GetInt32());
                    }
                }
                else if (KnownFields.Contains(property.Name))
                {
                    values[property.Name] = property.Value.GetInt64();
                }
                else if (property.Name != "pad_variable_length_inputs")
                {
                    throw new FormatException($"batching parameters: unknown field '{property.Name}'");
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new FormatException($"batching parameters are not valid: {e.Message}", e);
        }
    }

    [GeneratedRegex(@"(\w+)\s*\{\s*value\s*:\s*(\d+)\s*\}")]
    private static partial Regex WrappedValue();

    [GeneratedRegex(@"allowed_batch_sizes\s*:\s*(\d+)")]
    private static partial Regex AllowedSize();

    [GeneratedRegex(@"(\w+)\s*[:{]")]
    private static partial Regex FieldName();
}
