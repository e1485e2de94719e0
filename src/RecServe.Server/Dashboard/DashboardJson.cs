using System.Text.Json;
using RecServe.Lifecycle;

namespace RecServe.Server.Dashboard;

/// <summary>
/// Writes <c>GET /v1/dashboard</c>: models with their versions and headline figures, table tiers, the
/// per-second history, and delta stream consumers. Written by hand with <see cref="Utf8JsonWriter"/> so that field names are exactly those
/// docs/OPERATIONS.md lists, and no reflection is needed.
/// </summary>
public static class DashboardJson
{
    /// <summary>Writes the document for <paramref name="view"/> (null: no snapshot yet) and the manager's models.</summary>
    public static void Write(Utf8JsonWriter json, DashboardView? view, ModelManager manager, DateTimeOffset startedAt)
    {
        json.WriteStartObject();
        json.WriteString("generated_at", view?.At ?? startedAt);
        json.WriteString("started_at", startedAt);
        json.WriteNumber("interval_seconds", DashboardSampler.Interval.TotalSeconds);
        json.WriteNumber("headline_seconds", DashboardHistory.HeadlineSeconds);
        json.WriteStartArray("models");
        foreach (var name in manager.ModelNames.Order(StringComparer.Ordinal))
        {
            WriteModel(json, name, manager, view);
        }
        json.WriteEndArray();
        json.WriteStartArray("tables");
        foreach (var tier in view?.Tables ?? [])
        {
            json.WriteStartObject();
            json.WriteString("model", tier.Model);
            json.WriteString("version", tier.Version);
            json.WriteString("table", tier.Table);
            json.WriteString("tier", tier.Tier);
            json.WriteNumber("lookups", tier.Lookups);
            json.WriteNumber("hits", tier.Hits);
            json.WriteNumber("misses", tier.Misses);
            Number(json, "hit_rate", tier.Lookups > 0 ? tier.Hits / tier.Lookups : double.NaN);
            json.WriteNumber("resident_bytes", tier.ResidentBytes);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        WriteDeltaStreams(json, manager.GetDeltaStreams());
        json.WriteEndObject();
    }

    // The delta stream consumer of each served version (docs/DELTA.md, "Streaming"); empty without --delta_stream_redis.
    private static void WriteDeltaStreams(Utf8JsonWriter json, IReadOnlyList<Lifecycle.Deltas.DeltaStreamStatus> streams)
    {
        json.WriteStartArray("delta_streams");
        foreach (var stream in streams)
        {
            json.WriteStartObject();
            json.WriteString("model", stream.Model);
            json.WriteNumber("version", stream.Version);
            json.WriteString("stream", stream.Stream);
            json.WriteString("state", stream.State.ToString());
            json.WriteString("position", stream.Position);
            json.WriteNumber("last_seq", stream.LastAppliedSeq);
            json.WriteNumber("waiting_for_seq", stream.WaitingForSeq);
            if (stream.LastAppliedPublishedAt is { } published)
            {
                json.WriteString("last_applied_published_at", published);
            }
            else
            {
                json.WriteNull("last_applied_published_at");
            }
            Number(json, "lag_seconds", stream.LagSeconds);
            json.WriteNumber("entries", stream.EntriesRead);
            json.WriteNumber("applied", stream.DeltasApplied);
            json.WriteNumber("skipped", stream.DeltasSkipped);
            json.WriteNumber("refused", stream.DeltasRefused);
            json.WriteNumber("read_errors", stream.ReadErrors);
            json.WriteString("error", stream.Error);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static void WriteModel(Utf8JsonWriter json, string name, ModelManager manager, DashboardView? view)
    {
        json.WriteStartObject();
        json.WriteString("name", name);
        json.WriteStartArray("versions");
        foreach (var status in manager.GetStatus(name))
        {
            json.WriteStartObject();
            json.WriteNumber("version", status.Version);
            json.WriteString("state", status.State.ToString().ToUpperInvariant());
            json.WriteString("since", status.Since);
            json.WriteString("error", status.Error);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        var figures = view?.Models.GetValueOrDefault(name);
        WritePoint(json, figures?.Headline ?? default);
        json.WriteNumber("queue_rows", figures?.QueueRows ?? 0);
        json.WriteStartArray("batch_sizes");
        var below = 0.0;
        foreach (var (bound, count) in (figures?.BatchSizes ?? new Dictionary<double, double>()).OrderBy(b => b.Key))
        {
            // Cumulative buckets become per-bucket counts: the page draws bars.
            json.WriteStartObject();
            Number(json, "le", bound);
            json.WriteNumber("count", count - below);
            json.WriteEndObject();
            below = count;
        }
        json.WriteEndArray();
        json.WriteStartArray("history");
        foreach (var frame in view?.Frames ?? [])
        {
            if (frame.Points.TryGetValue(name, out var point))
            {
                json.WriteStartObject();
                json.WriteNumber("t", frame.At.ToUnixTimeMilliseconds() / 1000.0);
                WritePoint(json, point);
                json.WriteEndObject();
            }
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WritePoint(Utf8JsonWriter json, DashboardPoint point)
    {
        json.WriteNumber("requests", point.Requests);
        Number(json, "qps", point.Qps);
        Number(json, "error_rate", point.ErrorRate);
        Number(json, "p50_ms", point.P50Ms);
        Number(json, "p99_ms", point.P99Ms);
        Number(json, "p999_ms", point.P999Ms);
    }

    // JSON has no NaN or infinity: an unknown figure is null, the +Inf bucket bound is the string "+Inf".
    private static void Number(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsNaN(value))
        {
            json.WriteNull(name);
        }
        else if (double.IsInfinity(value))
        {
            json.WriteString(name, value > 0 ? "+Inf" : "-Inf");
        }
        else
        {
            json.WriteNumber(name, Math.Round(value, 4));
        }
    }
}
