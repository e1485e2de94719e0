using System.Globalization;
using Prometheus;
using RecServe.Embeddings.Overlay;
using RecServe.Lifecycle.Deltas;

namespace RecServe.Server.Metrics;

/// <summary>
/// Series of what happens to versions besides requests: deltas applied and refused, and warm-up runs. Lives in the
/// server's registry; the manager reports through <see cref="IDeltaObserver"/>, the warm-up directly.
/// </summary>
public sealed class LifecycleMetrics : IDeltaObserver, IDeltaStreamObserver
{
    /// <summary>Creates the series in <paramref name="registry"/>.</summary>
    public LifecycleMetrics(CollectorRegistry registry)
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        string[] labels = ["model", "version"];
        DeltasApplied = factory.CreateCounter("recserve_deltas_applied_total", "Deltas applied to a served version.",
            new CounterConfiguration { LabelNames = labels });
        DeltaFailures = factory.CreateCounter("recserve_delta_failures_total", "Deltas refused whole (corrupt, truncated, mismatched); the version keeps its state.",
            new CounterConfiguration { LabelNames = labels });
        DeltaLastSeq = factory.CreateGauge("recserve_delta_last_seq", "Seq of the last delta applied to a served version (0: none).",
            new GaugeConfiguration { LabelNames = labels });
        DeltaRows = factory.CreateCounter("recserve_delta_rows_total", "Embedding rows upserted or deleted by applied deltas.",
            new CounterConfiguration { LabelNames = [.. labels, "kind"] });
        StreamEntries = factory.CreateCounter("recserve_delta_stream_entries_total", "Entries read from the model's delta stream.",
            new CounterConfiguration { LabelNames = labels });
        StreamErrors = factory.CreateCounter("recserve_delta_stream_errors_total", "Delta stream reads that failed (kind unreachable) and publications refused whole (kind refused).",
            new CounterConfiguration { LabelNames = [.. labels, "kind"] });
        StreamDeltasApplied = factory.CreateCounter("recserve_delta_stream_deltas_applied_total", "Deltas applied from the delta stream (also counted in recserve_deltas_applied_total).",
            new CounterConfiguration { LabelNames = labels });
        StreamDeltasSkipped = factory.CreateCounter("recserve_delta_stream_deltas_skipped_total", "Deltas read from the stream whose seq was already applied (e.g. also dropped as a file).",
            new CounterConfiguration { LabelNames = labels });
        StreamLag = factory.CreateGauge("recserve_delta_stream_lag_seconds",
            "How far the model may be behind its delta stream: now minus the publish time of the oldest delta read but not applied, else minus the last time the stream was seen to hold nothing newer; grows while Redis is down. Worst served version.",
            new GaugeConfiguration { LabelNames = ["model"] });
        StreamLastPublished = factory.CreateGauge("recserve_delta_stream_last_applied_publish_timestamp_seconds",
            "Publish time (Unix seconds) of the last delta applied from the stream, newest served version.", new GaugeConfiguration { LabelNames = ["model"] });
        StreamUp = factory.CreateGauge("recserve_delta_stream_up", "1 while every served version of the model reads its delta stream, 0 while one cannot reach it.",
            new GaugeConfiguration { LabelNames = ["model"] });
        WarmupRuns = factory.CreateCounter("recserve_warmup_runs_total", "Warm-up batches run on a version before it served (recorded requests x batch sizes).",
            new CounterConfiguration { LabelNames = labels });
        WarmupPrefilledRows = factory.CreateCounter("recserve_warmup_prefilled_rows_total", "Hot-cache rows pre-filled from the previous version's hottest ids.",
            new CounterConfiguration { LabelNames = labels });
    }

    /// <summary>recserve_deltas_applied_total.</summary>
    public Counter DeltasApplied { get; }

    /// <summary>recserve_delta_failures_total.</summary>
    public Counter DeltaFailures { get; }

    /// <summary>recserve_delta_last_seq.</summary>
    public Gauge DeltaLastSeq { get; }

    /// <summary>recserve_delta_rows_total, kind upsert or delete.</summary>
    public Counter DeltaRows { get; }

    /// <summary>recserve_delta_stream_entries_total.</summary>
    public Counter StreamEntries { get; }

    /// <summary>recserve_delta_stream_errors_total, kind unreachable or refused.</summary>
    public Counter StreamErrors { get; }

    /// <summary>recserve_delta_stream_deltas_applied_total.</summary>
    public Counter StreamDeltasApplied { get; }

    /// <summary>recserve_delta_stream_deltas_skipped_total.</summary>
    public Counter StreamDeltasSkipped { get; }

    /// <summary>recserve_delta_stream_lag_seconds.</summary>
    public Gauge StreamLag { get; }

    /// <summary>recserve_delta_stream_last_applied_publish_timestamp_seconds.</summary>
    public Gauge StreamLastPublished { get; }

    /// <summary>recserve_delta_stream_up.</summary>
    public Gauge StreamUp { get; }

    /// <summary>recserve_warmup_runs_total.</summary>
    public Counter WarmupRuns { get; }

    /// <summary>recserve_warmup_prefilled_rows_total.</summary>
    public Counter WarmupPrefilledRows { get; }

    /// <inheritdoc />
    public void OnApplied(string model, long version, DeltaApplyResult result)
    {
        var v = Label(version);
        DeltasApplied.WithLabels(model, v).Inc();
        DeltaRows.WithLabels(model, v, "upsert").Inc(result.Upserts);
        DeltaRows.WithLabels(model, v, "delete").Inc(result.Deletes);
    }

    /// <inheritdoc />
    public void OnRefused(string model, long version, string error) => DeltaFailures.WithLabels(model, Label(version)).Inc();

    /// <inheritdoc />
    public void OnLastSeq(string model, long version, long seq) => DeltaLastSeq.WithLabels(model, Label(version)).Set(seq);

    /// <inheritdoc />
    public void OnClosed(string model, long version) => DeltaLastSeq.RemoveLabelled(model, Label(version));

    /// <inheritdoc />
    public void OnStreamEntries(string model, long version, int count) => StreamEntries.WithLabels(model, Label(version)).Inc(count);

    /// <inheritdoc />
    public void OnStreamError(string model, long version, string kind) => StreamErrors.WithLabels(model, Label(version), kind).Inc();

    /// <summary>
    /// Copies the consumers' state into the stream series when metrics are scraped: the lag is computed now, so it
    /// keeps growing while nothing happens (Redis down), which an event-driven gauge would not.
    /// </summary>
    public void CollectStreams(IReadOnlyList<DeltaStreamStatus> streams)
    {
        ArgumentNullException.ThrowIfNull(streams);
        var lag = new Dictionary<string, double>(StringComparer.Ordinal);
        var up = new Dictionary<string, bool>(StringComparer.Ordinal);
        var published = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var stream in streams)
        {
            var v = Label(stream.Version);
            StreamDeltasApplied.WithLabels(stream.Model, v).IncTo(stream.DeltasApplied);
            StreamDeltasSkipped.WithLabels(stream.Model, v).IncTo(stream.DeltasSkipped);
            var worst = lag.GetValueOrDefault(stream.Model, double.NaN);
            lag[stream.Model] = double.IsNaN(worst) || stream.LagSeconds > worst ? stream.LagSeconds : worst;
            up[stream.Model] = up.GetValueOrDefault(stream.Model, true) && stream.State is not (DeltaStreamState.Unreachable or DeltaStreamState.Connecting);
            if (stream.LastAppliedPublishedAt is { } at && (!published.TryGetValue(stream.Model, out var newest) || at > newest))
            {
                published[stream.Model] = at;
            }
        }
        foreach (var (model, seconds) in lag)
        {
            StreamLag.WithLabels(model).Set(seconds);
            StreamUp.WithLabels(model).Set(up[model] ? 1 : 0);
        }
        foreach (var (model, at) in published)
        {
            StreamLastPublished.WithLabels(model).Set(at.ToUnixTimeMilliseconds() / 1000.0);
        }
    }

    /// <summary>The version as a label value.</summary>
    public static string Label(long version) => version.ToString(CultureInfo.InvariantCulture);
}
