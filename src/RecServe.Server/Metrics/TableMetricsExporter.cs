using System.Globalization;
using RecServe.Core.Errors;
using RecServe.Lifecycle;
using RecServe.Lifecycle.Versions;
using RecServe.Runtime;
using RecServe.Runtime.Batching;
using RecServe.Runtime.Bundles;

namespace RecServe.Server.Metrics;

/// <summary>
/// Copies the table tier counters of every available bundle version into the Prometheus series when the metrics
/// endpoint is scraped: the request path only bumps plain counters, and a version that unloads drops its series.
/// </summary>
public sealed class TableMetricsExporter(ServingMetrics metrics, ModelManager manager)
{
    private readonly Lock _lock = new();
    private HashSet<(string Model, string Version, string Table, string Tier)> _published = [];

    /// <summary>Publishes the current counters; call before each collection.</summary>
    public void Collect()
    {
        lock (_lock)
        {
            var seen = new HashSet<(string, string, string, string)>();
            foreach (var model in manager.ModelNames)
            {
                foreach (var status in manager.GetStatus(model))
                {
                    if (status.State == ModelVersionState.Available)
                    {
                        Publish(model, status.Version, seen);
                    }
                }
            }
            foreach (var labels in _published)
            {
                if (!seen.Contains(labels))
                {
                    string[] values = [labels.Model, labels.Version, labels.Table, labels.Tier];
                    metrics.TableLookups.RemoveLabelled(values);
                    metrics.TableHits.RemoveLabelled(values);
                    metrics.TableMisses.RemoveLabelled(values);
                    metrics.TableResidentBytes.RemoveLabelled(values);
                    metrics.TableDegradedLookups.RemoveLabelled(values);
                }
            }
            _published = seen;
        }
    }

    private void Publish(string model, long version, HashSet<(string, string, string, string)> seen)
    {
        ServableHandle handle;
        try
        {
            handle = manager.GetHandle(model, version);
        }
        catch (ServingException)
        {
            // Retired since the status was read: nothing to publish.
            return;
        }
        using (handle)
        {
            if (Unwrap(handle.Model) is not ITableMetricsSource source)
            {
                return;
            }
            var versionLabel = version.ToString(CultureInfo.InvariantCulture);
            foreach (var tier in source.TableMetrics)
            {
                string[] values = [model, versionLabel, tier.Table, tier.Tier];
                metrics.TableLookups.WithLabels(values).IncTo(tier.Metrics.Lookups);
                metrics.TableHits.WithLabels(values).IncTo(tier.Metrics.Hits);
                metrics.TableMisses.WithLabels(values).IncTo(tier.Metrics.Misses);
                metrics.TableResidentBytes.WithLabels(values).Set(tier.Metrics.ResidentBytes);
                if (tier.Tier == TableTierMetrics.RedisTier)
                {
                    metrics.TableDegradedLookups.WithLabels(values).IncTo(tier.Metrics.DegradedLookups);
                }
                seen.Add((model, versionLabel, tier.Table, tier.Tier));
            }
        }
    }

    private static IModel Unwrap(IModel model) => model is BatchingModel batching ? batching.Inner : model;
}
