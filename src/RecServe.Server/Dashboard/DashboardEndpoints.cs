using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RecServe.Lifecycle;

namespace RecServe.Server.Dashboard;

/// <summary>
/// The dashboard: the page at <c>/</c>, its script and style under <c>/dashboard/</c>, and its data at
/// <c>/v1/dashboard</c>. With a monitoring port, only that port answers them, as with the metrics endpoints.
/// </summary>
public static class DashboardEndpoints
{
    /// <summary>Path of the JSON document the page polls.</summary>
    public const string DataPath = "/v1/dashboard";

    /// <summary>Registers the history and its sampler.</summary>
    public static IServiceCollection AddDashboard(this IServiceCollection services)
    {
        services.AddSingleton(new DashboardHistory());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<DashboardSampler>();
        services.AddHostedService(provider => provider.GetRequiredService<DashboardSampler>());
        return services;
    }

    /// <summary>Maps the page, its assets and its data; <paramref name="monitoringPort"/> &gt; 0 moves them there.</summary>
    public static void MapDashboard(this IEndpointRouteBuilder app, int monitoringPort)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var endpoints = new List<IEndpointConventionBuilder>
        {
            app.MapGet("/", () => Asset("index.html")),
            app.MapGet("/dashboard/{file}", (string file) => Asset(file)),
            app.MapGet(DataPath, (ModelManager manager, DashboardHistory history) => Data(manager, history, startedAt)),
        };
        if (monitoringPort > 0)
        {
            foreach (var endpoint in endpoints)
            {
                endpoint.RequireHost($"*:{monitoringPort}");
            }
        }
    }

    private static IResult Data(ModelManager manager, DashboardHistory history, DateTimeOffset startedAt)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(16 * 1024);
        using (var json = new Utf8JsonWriter(buffer))
        {
            DashboardJson.Write(json, history.Read(), manager, startedAt);
        }
        return Results.Bytes(buffer.WrittenMemory.ToArray(), "application/json");
    }

    private static IResult Asset(string file)
    {
        var content = DashboardAssets.Find(file);
        return content is null ? Results.NotFound() : Results.Bytes(content.Value.Bytes, content.Value.ContentType);
    }
}
