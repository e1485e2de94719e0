using System.Collections.Concurrent;
using Prometheus;
using RecServe.Core.Errors;

namespace RecServe.Server.Metrics;

/// <summary>
/// The server's Prometheus series, in one registry per host (so several hosts in one process do not
/// collide). Latency buckets grow by 1.25x from 50 µs to about 20 s: fine enough to read p99.9.
/// </summary>
public sealed class ServingMetrics
{
    private static readonly double[] LatencyBuckets = Histogram.ExponentialBuckets(0.00005, 1.25, 58);

    // Most series a cache below keeps before it starts again: labels come from the models and versions served, so
    // this is only reached after very many version changes; prometheus-net keeps the series themselves regardless.
    private const int MaxCachedSeries = 4096;

    // The labelled children each request updates, found without building a label array or formatting the version
    // on every request (prometheus-net's WithLabels takes a params array).
    private readonly ConcurrentDictionary<RequestSeries, (Counter.Child Requests, Histogram.Child Latency)> _requestSeries = new();
    private readonly ConcurrentDictionary<string, Histogram.Child> _denseStageSeries = new(StringComparer.Ordinal);

    /// <summary>Creates the series in a fresh registry.</summary>
    public ServingMetrics()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        Requests = factory.CreateCounter("recserve_requests_total", "Predict requests by model, version, API and status.",
            new CounterConfiguration { LabelNames = ["model", "version", "api", "status"] });
        RequestLatency = factory.CreateHistogram("recserve_request_latency_seconds", "Server time per predict request, decode to encode.",
            new HistogramConfiguration { LabelNames = ["model", "api"], Buckets = LatencyBuckets });
        QueueWait = factory.CreateHistogram("recserve_batch_queue_wait_seconds", "Time a request waited in the batch queue.",
            new HistogramConfiguration { LabelNames = ["model"], Buckets = LatencyBuckets });
        DenseStage = factory.CreateHistogram("recserve_dense_stage_seconds", "Model execution time per batch (ONNX Runtime).",
            new HistogramConfiguration { LabelNames = ["model"], Buckets = LatencyBuckets });
        BatchSize = factory.CreateHistogram("recserve_batch_size", "Rows per executed batch, before padding.",
            new HistogramConfiguration { LabelNames = ["model"], Buckets = Histogram.ExponentialBuckets(1, 2, 14) });
        QueueDepth = factory.CreateGauge("recserve_batch_queue_rows", "Rows waiting in the batch queue.",
            new GaugeConfiguration { LabelNames = ["model"] });
        string[] tableLabels = ["model", "version", "table", "tier"];
        TableLookups = factory.CreateCounter("recserve_embedding_lookups_total", "Ids looked up (padding excluded), per bundle table and tier (cache, table, redis).",
            new CounterConfiguration { LabelNames = tableLabels });
        TableHits = factory.CreateCounter("recserve_embedding_hits_total", "Ids the tier had.",
            new CounterConfiguration { LabelNames = tableLabels });
        TableMisses = factory.CreateCounter("recserve_embedding_misses_total", "Ids the tier did not have; for tier=\"table\", ids served the default row.",
            new CounterConfiguration { LabelNames = tableLabels });
        TableResidentBytes = factory.CreateGauge("recserve_embedding_resident_bytes", "Bytes the tier holds (a mapped table: bytes mapped, an upper bound).",
            new GaugeConfiguration { LabelNames = tableLabels });
        TableDegradedLookups = factory.CreateCounter("recserve_embedding_degraded_lookups_total",
            "Ids of a Redis Cluster table answered with the default row because their shard was unreachable or slower than timeout_ms (on_failure degrade).",
            new CounterConfiguration { LabelNames = tableLabels });
        var largeTensorBytes = factory.CreateGauge("recserve_large_tensor_bytes",
            "Bytes of large tensors (over 1 MiB) held in native memory by requests in flight; 0 when idle.");
        Registry.AddBeforeCollectCallback(() => largeTensorBytes.Set(RecServe.Core.Tensors.Tensor.LargeTensorBytesInUse));
        VersionsAvailable = factory.CreateGauge("recserve_model_versions_available", "Versions of each model serving requests.",
            new GaugeConfiguration { LabelNames = ["model"] });
    }

    /// <summary>The registry the metrics endpoint exports.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>recserve_requests_total.</summary>
    public Counter Requests { get; }

    /// <summary>recserve_request_latency_seconds.</summary>
    public Histogram RequestLatency { get; }

    /// <summary>recserve_batch_queue_wait_seconds.</summary>
    public Histogram QueueWait { get; }

    /// <summary>recserve_dense_stage_seconds.</summary>
    public Histogram DenseStage { get; }

    /// <summary>recserve_batch_size.</summary>
    public Histogram BatchSize { get; }

    /// <summary>recserve_batch_queue_rows.</summary>
    public Gauge QueueDepth { get; }

    /// <summary>recserve_embedding_lookups_total.</summary>
    public Counter TableLookups { get; }

    /// <summary>recserve_embedding_hits_total.</summary>
    public Counter TableHits { get; }

    /// <summary>recserve_embedding_misses_total.</summary>
    public Counter TableMisses { get; }

    /// <summary>recserve_embedding_degraded_lookups_total (tier redis only).</summary>
    public Counter TableDegradedLookups { get; }

    /// <summary>recserve_embedding_resident_bytes.</summary>
    public Gauge TableResidentBytes { get; }

    /// <summary>recserve_model_versions_available.</summary>
    public Gauge VersionsAvailable { get; }

    /// <summary>Starts timing one request of <paramref name="api"/> for <paramref name="model"/>.</summary>
    public RequestScope Start(string api, string model) => new(this, api, model, System.Diagnostics.Stopwatch.GetTimestamp());

    /// <summary>Records one finished request.</summary>
    public void Record(string api, string model, long version, ServingErrorCode? error, double seconds)
    {
        var key = new RequestSeries(model, version, api, error);
        if (!_requestSeries.TryGetValue(key, out var series))
        {
            series = (Requests.WithLabels(model, version > 0 ? version.ToString(System.Globalization.CultureInfo.InvariantCulture) : "", api, error is null ? "OK" : StatusName(error.Value)),
                RequestLatency.WithLabels(model, api));
            Remember(_requestSeries, key, series);
        }
        series.Requests.Inc();
        series.Latency.Observe(seconds);
    }

    /// <summary>Records one model execution of <paramref name="model"/> outside batching (batches report their own).</summary>
    public void RecordDenseStage(string model, double seconds)
    {
        if (!_denseStageSeries.TryGetValue(model, out var series))
        {
            series = DenseStage.WithLabels(model);
            Remember(_denseStageSeries, model, series);
        }
        series.Observe(seconds);
    }

    private static void Remember<TKey, TValue>(ConcurrentDictionary<TKey, TValue> cache, TKey key, TValue value)
        where TKey : notnull
    {
        if (cache.Count >= MaxCachedSeries)
        {
            cache.Clear();
        }
        cache.TryAdd(key, value);
    }

    private readonly record struct RequestSeries(string Model, long Version, string Api, ServingErrorCode? Error);

    private static string StatusName(ServingErrorCode code) => code switch
    {
        ServingErrorCode.InvalidArgument => "INVALID_ARGUMENT",
        ServingErrorCode.NotFound => "NOT_FOUND",
        ServingErrorCode.ResourceExhausted => "RESOURCE_EXHAUSTED",
        ServingErrorCode.DeadlineExceeded => "DEADLINE_EXCEEDED",
        ServingErrorCode.Unavailable => "UNAVAILABLE",
        ServingErrorCode.Unimplemented => "UNIMPLEMENTED",
        ServingErrorCode.FailedPrecondition => "FAILED_PRECONDITION",
        ServingErrorCode.Cancelled => "CANCELLED",
        ServingErrorCode.Unauthenticated => "UNAUTHENTICATED",
        ServingErrorCode.PermissionDenied => "PERMISSION_DENIED",
        _ => "INTERNAL",
    };
}
