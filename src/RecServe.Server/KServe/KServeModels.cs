using Inference;
using RecServe.Core.Errors;
using RecServe.Lifecycle;
using RecServe.Lifecycle.Versions;
using RecServe.Protocol.KServe;
using RecServe.Server.Hosting;
using RecServe.Server.Serving;

namespace RecServe.Server.KServe;

/// <summary>
/// The answers KServe v2's health and metadata calls share between gRPC and REST: server and model readiness,
/// server metadata, and model metadata. Readiness is read from the model manager's version states; metadata from
/// a leased version's signature.
/// </summary>
public sealed class KServeModels(ModelManager manager, PredictionPipeline pipeline)
{
    /// <summary>The platform reported for every model: all versions run on ONNX Runtime.</summary>
    public const string Platform = "onnxruntime_onnx";

    private static readonly ServerMetadataResponse ServerMetadata = new()
    {
        Name = "recserve",
        Version = ServerVersion(),
    };

    /// <summary>Whether every configured model has an available version.</summary>
    public bool IsServerReady() => ModelsReadyHealthCheck.NotReadyModels(manager).Count == 0;

    /// <summary>
    /// Whether the model (or that version of it) is available. NOT_FOUND for a model that is not configured or a
    /// version never seen; false for one that is loading, failed or retired.
    /// </summary>
    public bool IsModelReady(string modelName, string? version)
    {
        RequireName(modelName);
        foreach (var status in manager.GetStatus(modelName, KServeVersion.Parse(version)))
        {
            if (status.State == ModelVersionState.Available)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The server's name and version; RecServe offers no protocol extensions.</summary>
    public static ServerMetadataResponse GetServerMetadata() => ServerMetadata.Clone();

    /// <summary>The metadata of the version named (the latest when empty); NOT_FOUND when it is not available.</summary>
    public ModelMetadataResponse GetModelMetadata(string modelName, string? version)
    {
        RequireName(modelName);
        using var handle = pipeline.Lease(modelName, KServeVersion.Parse(version), null);
        var available = new List<long>();
        foreach (var status in manager.GetStatus(modelName))
        {
            if (status.State == ModelVersionState.Available)
            {
                available.Add(status.Version);
            }
        }
        available.Sort();
        return ModelMetadataEncoder.Encode(modelName, available, Platform, handle.Model.Signature);
    }

    /// <summary>INVALID_ARGUMENT unless <paramref name="modelName"/> is given.</summary>
    public static void RequireName(string? modelName)
    {
        if (string.IsNullOrEmpty(modelName))
        {
            throw ServingException.InvalidArgument("model name is required");
        }
    }

    private static string ServerVersion()
    {
        var assembly = typeof(KServeModels).Assembly;
        var informational = (Attribute.GetCustomAttribute(assembly, typeof(System.Reflection.AssemblyInformationalVersionAttribute))
            as System.Reflection.AssemblyInformationalVersionAttribute)?.InformationalVersion;
        // The build appends "+<commit>" to the informational version; clients compare the release part.
        var version = informational ?? assembly.GetName().Version?.ToString() ?? "0.0.0";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}
