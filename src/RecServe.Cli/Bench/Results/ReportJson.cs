using System.Text.Json;

namespace RecServe.Cli.Bench.Results;

/// <summary>Writes a <see cref="BenchReport"/> as JSON (snake_case keys, latencies in ms) for scripts.</summary>
internal static class ReportJson
{
    /// <summary>Writes <paramref name="report"/> to the file at <paramref name="path"/>, replacing it.</summary>
    public static void WriteFile(string path, BenchReport report)
    {
        using var stream = File.Create(path);
        Write(stream, report);
    }

    /// <summary>Writes <paramref name="report"/> to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, BenchReport report)
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("target", report.Target);
        w.WriteString("api", report.Api);
        w.WriteString("model", report.Model);
        WriteNullable(w, "version", report.Version);
        w.WriteString("mode", report.Mode);
        w.WriteNumber("concurrency", report.Concurrency);
        WriteNullable(w, "rate", report.Rate);
        w.WriteNumber("rows_per_request", report.RowsPerRequest);
        w.WriteNumber("pool_size", report.PoolSize);
        w.WriteNumber("warmup_s", report.WarmupSeconds);
        w.WriteNumber("duration_s", report.DurationSeconds);
        w.WriteNumber("elapsed_s", report.ElapsedSeconds);
        w.WriteNumber("requests", report.Requests);
        w.WriteNumber("rows", report.Rows);
        w.WriteNumber("errors", report.Errors);
        w.WriteStartObject("errors_by_status");
        foreach (var (status, count) in report.ErrorsByStatus)
        {
            w.WriteNumber(status, count);
        }
        w.WriteEndObject();
        w.WriteNumber("dropped", report.Dropped);
        w.WriteNumber("late", report.Late);
        w.WriteNumber("requests_per_s", report.RequestsPerSecond);
        w.WriteNumber("rows_per_s", report.RowsPerSecond);
        if (report.CpuMicrosecondsPerRequest is { } cpu)
        {
            w.WriteString("cpu_process", report.CpuProcess);
            w.WriteNumber("cpu_us_per_request", cpu);
        }
        else
        {
            w.WriteNull("cpu_process");
            w.WriteNull("cpu_us_per_request");
        }
        w.WriteStartObject("latency_ms");
        w.WriteNumber("p50", report.Latency.P50);
        w.WriteNumber("p90", report.Latency.P90);
        w.WriteNumber("p99", report.Latency.P99);
        w.WriteNumber("p99_9", report.Latency.P999);
        w.WriteNumber("max", report.Latency.Max);
        w.WriteNumber("mean", report.Latency.Mean);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, long? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
