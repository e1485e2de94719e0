namespace RecServe.Server.Dashboard;

/// <summary>The dashboard's view of the metrics registry at one instant, read from the exposition text.</summary>
public sealed class MetricsSnapshot
{
    /// <summary>When it was taken.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>Counters per model name.</summary>
    public Dictionary<string, ModelCounters> Models { get; } = new(StringComparer.Ordinal);

    /// <summary>Counters per table tier of every available bundle version.</summary>
    public List<TableTierCounters> Tables { get; } = [];

    /// <summary>Builds a snapshot from parsed samples of the RecServe series.</summary>
    public static MetricsSnapshot From(IEnumerable<MetricSample> samples, DateTimeOffset at)
    {
        var snapshot = new MetricsSnapshot { At = at };
        var tables = new Dictionary<(string, string, string, string), double[]>();
        foreach (var sample in samples)
        {
            switch (sample.Name)
            {
                case "recserve_requests_total":
                    var model = snapshot.Model(sample.Label("model"));
                    model.Requests += sample.Value;
                    if (sample.Label("status") != "OK")
                    {
                        model.Errors += sample.Value;
                    }
                    break;
                case "recserve_request_latency_seconds_bucket":
                    AddBucket(snapshot.Model(sample.Label("model")).Latency, sample);
                    break;
                case "recserve_batch_size_bucket":
                    AddBucket(snapshot.Model(sample.Label("model")).BatchSize, sample);
                    break;
                case "recserve_batch_queue_rows":
                    snapshot.Model(sample.Label("model")).QueueRows = sample.Value;
                    break;
                case "recserve_embedding_lookups_total":
                    TableSlot(tables, sample)[0] = sample.Value;
                    break;
                case "recserve_embedding_hits_total":
                    TableSlot(tables, sample)[1] = sample.Value;
                    break;
                case "recserve_embedding_misses_total":
                    TableSlot(tables, sample)[2] = sample.Value;
                    break;
                case "recserve_embedding_resident_bytes":
                    TableSlot(tables, sample)[3] = sample.Value;
                    break;
                default:
                    break;
            }
        }
        foreach (var ((model, version, table, tier), values) in tables.OrderBy(t => t.Key))
        {
            snapshot.Tables.Add(new TableTierCounters(model, version, table, tier, values[0], values[1], values[2], values[3]));
        }
        return snapshot;
    }

    private ModelCounters Model(string name)
    {
        if (!Models.TryGetValue(name, out var counters))
        {
            counters = new ModelCounters();
            Models[name] = counters;
        }
        return counters;
    }

    private static void AddBucket(Dictionary<double, double> buckets, MetricSample sample)
    {
        var bound = PrometheusText.ParseNumber(sample.Label("le"));
        buckets[bound] = buckets.GetValueOrDefault(bound) + sample.Value;
    }

    private static double[] TableSlot(Dictionary<(string, string, string, string), double[]> tables, MetricSample sample)
    {
        var key = (sample.Label("model"), sample.Label("version"), sample.Label("table"), sample.Label("tier"));
        if (!tables.TryGetValue(key, out var slot))
        {
            slot = new double[4];
            tables[key] = slot;
        }
        return slot;
    }
}
