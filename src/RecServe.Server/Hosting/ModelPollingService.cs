using Microsoft.Extensions.Hosting;
using RecServe.Lifecycle;
using RecServe.Lifecycle.Config;

namespace RecServe.Server.Hosting;

/// <summary>Loads the configured models before the server takes traffic, then polls for new versions.</summary>
internal sealed class ModelPollingService(ModelManager manager, IReadOnlyList<ModelConfig> models, TimeSpan interval) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // The first load completes before Kestrel starts listening, so the first request finds the models.
        await manager.ApplyConfigAsync(models, cancellationToken).ConfigureAwait(false);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => manager.RunPollingAsync(interval, stoppingToken);
}
