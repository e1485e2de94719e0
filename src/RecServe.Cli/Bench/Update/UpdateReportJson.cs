using System.Text;
using System.Text.Json;

namespace RecServe.Cli.Bench.Update;

/// <summary>The update report as JSON (<c>summary.json</c>): snake_case keys, milliseconds, bytes and seconds.</summary>
internal static class UpdateReportJson
{
    /// <summary>Formats <paramref name="report"/>.</summary>
    public static string Format(UpdateBenchReport report)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("description", report.Description);
            json.WriteStartObject("windows");
            foreach (var window in report.Windows)
            {
                WriteWindow(json, window);
            }
            json.WriteEndObject();
            WriteNumber(json, "swap_p999_ratio", report.SwapP999Ratio);
            WriteNumber(json, "after_live_p999_ratio", report.AfterLiveP999Ratio);
            WriteNumber(json, "delta_p999_ratio", report.DeltaP999Ratio);
            json.WriteNumber("errors", report.Errors);
            json.WriteNumber("dropped", report.Dropped);
            json.WriteNumber("late", report.Late);
            json.WriteNumber("timeline_overflow", report.Overflow);
            json.WriteNumber("swap_seconds", report.SwapSeconds);
            json.WriteNumber("delta_rows", report.DeltaRows);
            json.WriteNumber("delta_seconds", report.DeltaSeconds);
            json.WriteNumber("delta_rows_per_second", report.DeltaRowsPerSecond);
            json.WriteStartObject("rss_bytes");
            json.WriteNumber("before_swap", report.RssBefore);
            json.WriteNumber("peak_swap", report.RssPeakSwap);
            json.WriteNumber("after_swap", report.RssAfterSwap);
            json.WriteNumber("peak_delta", report.RssPeakDelta);
            json.WriteEndObject();
            json.WriteStartArray("events");
            foreach (var (name, seconds) in report.Events)
            {
                json.WriteStartObject();
                json.WriteString("name", name);
                json.WriteNumber("seconds", seconds);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteWindow(Utf8JsonWriter json, WindowSummary window)
    {
        json.WriteStartObject(window.Name);
        json.WriteNumber("from_s", window.FromSeconds);
        json.WriteNumber("to_s", window.ToSeconds);
        json.WriteNumber("sent", window.Sent);
        json.WriteNumber("succeeded", window.Latency.Count);
        json.WriteStartObject("latency_ms");
        json.WriteNumber("p50", window.Latency.P50);
        json.WriteNumber("p99", window.Latency.P99);
        json.WriteNumber("p99_9", window.Latency.P999);
        json.WriteNumber("max", window.Latency.Max);
        json.WriteEndObject();
        json.WriteStartObject("errors_by_status");
        foreach (var (status, count) in window.Errors)
        {
            json.WriteNumber(status, count);
        }
        json.WriteEndObject();
        json.WriteEndObject();
    }

    // JSON has no NaN: a ratio without a baseline is null.
    private static void WriteNumber(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumber(name, value);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
