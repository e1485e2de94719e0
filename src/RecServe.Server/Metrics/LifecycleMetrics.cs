using System.Globalization;
using Prometheus;
using RecServe.Embeddings.Overlay;
using RecServe.Lifecycle.Deltas;

namespace RecServe.Server.Metrics;

/// <summary>
/// Series of what happens to versions besides requests: deltas applied and refused, and warm-up runs. Lives in the
/// server's registry; the manager reports through <see cref="IDeltaObserver"/>, the warm-up directly.
/// </summary>
public sealed class LifecycleMetrics : IDeltaObserver
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

    /// <summary>The version as a label value.</summary>
    public static string Label(long version) => version.ToString(CultureInfo.InvariantCulture);
}
