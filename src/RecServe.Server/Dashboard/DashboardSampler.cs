using Microsoft.Extensions.Hosting;
using RecServe.Server.Metrics;

namespace RecServe.Server.Dashboard;

/// <summary>
/// Takes one <see cref="MetricsSnapshot"/> of the metrics registry per second into <see cref="DashboardHistory"/>,
/// by exporting the registry as the metrics endpoint would. A second is the finest step the page shows.
/// </summary>
public sealed class DashboardSampler(ServingMetrics metrics, DashboardHistory history, TimeProvider time) : BackgroundService
{
    /// <summary>Time between snapshots.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>Takes one snapshot now.</summary>
    public async Task SampleAsync(CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await metrics.Registry.CollectAndExportAsTextAsync(buffer, cancellationToken).ConfigureAwait(false);
        var text = System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        history.Record(MetricsSnapshot.From(PrometheusText.Parse(text), time.GetUtcNow()));
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            do
            {
                await SampleAsync(stoppingToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }
}
