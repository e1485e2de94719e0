using Microsoft.Extensions.Diagnostics.HealthChecks;
using RecServe.Lifecycle;
using RecServe.Lifecycle.Versions;

namespace RecServe.Server.Hosting;

/// <summary>Ready when every configured model has at least one available version.</summary>
public sealed class ModelsReadyHealthCheck(ModelManager manager) : IHealthCheck
{
    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var notReady = NotReadyModels(manager);
        return Task.FromResult(notReady.Count == 0
            ? HealthCheckResult.Healthy("all models available")
            : HealthCheckResult.Unhealthy("no available version: " + string.Join(", ", notReady)));
    }

    /// <summary>The configured models that have no available version.</summary>
    public static List<string> NotReadyModels(ModelManager manager)
    {
        var notReady = new List<string>();
        foreach (var name in manager.ModelNames)
        {
            if (!manager.GetStatus(name).Any(s => s.State == ModelVersionState.Available))
            {
                notReady.Add(name);
            }
        }
        return notReady;
    }
}
