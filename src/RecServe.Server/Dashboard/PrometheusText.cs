using System.Globalization;

namespace RecServe.Server.Dashboard;

/// <summary>
/// Reads the Prometheus text exposition format. The dashboard reads the registry through the same text the
/// metrics endpoint serves, so both always show the same numbers (prometheus-net does not expose bucket counts).
/// </summary>
public static class PrometheusText
{
    /// <summary>Parses every sample line of <paramref name="text"/>; comment and blank lines are skipped.</summary>
    public static List<MetricSample> Parse(string text)
    {
        var samples = new List<MetricSample>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            samples.Add(ParseLine(line));
        }
        return samples;
    }

    /// <summary>Parses a label value or sample value as Prometheus writes it (including +Inf, -Inf and NaN).</summary>
    public static double ParseNumber(string text) => text switch
    {
        "+Inf" or "Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    private static MetricSample ParseLine(string line)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var brace = line.IndexOf('{', StringComparison.Ordinal);
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        string name;
        int rest;
        if (brace >= 0 && (space < 0 || brace < space))
        {
            name = line[..brace];
            rest = ParseLabels(line, brace + 1, labels);
        }
        else
        {
            name = space < 0 ? throw Malformed(line) : line[..space];
            rest = space;
        }
        var value = line[rest..].Trim();
        // A timestamp may follow the value.
        var end = value.IndexOf(' ', StringComparison.Ordinal);
        return new MetricSample(name, labels, ParseNumber(end < 0 ? value : value[..end]));
    }

    private static int ParseLabels(string line, int at, Dictionary<string, string> labels)
    {
        while (at < line.Length && line[at] != '}')
        {
            var equals = line.IndexOf('=', at);
            if (equals < 0 || equals + 1 >= line.Length || line[equals + 1] != '"')
            {
                throw Malformed(line);
            }
            var key = line[at..equals].Trim().TrimStart(',').Trim();
            var value = new System.Text.StringBuilder();
            var i = equals + 2;
            for (; i < line.Length && line[i] != '"'; i++)
            {
                if (line[i] == '\\' && i + 1 < line.Length)
                {
                    i++;
                    value.Append(line[i] == 'n' ? '\n' : line[i]);
                }
                else
                {
                    value.Append(line[i]);
                }
            }
            if (i >= line.Length)
            {
                throw Malformed(line);
            }
            labels[key] = value.ToString();
            at = i + 1;
            if (at < line.Length && line[at] == ',')
            {
                at++;
            }
        }
        return at < line.Length ? at + 1 : throw Malformed(line);
    }

    private static FormatException Malformed(string line) => new($"not a Prometheus sample line: {line}");
}
