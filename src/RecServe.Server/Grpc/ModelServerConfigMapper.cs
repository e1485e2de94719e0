using RecServe.Core.Errors;
using RecServe.Lifecycle.Config;
using Tensorflow.Serving;
using ProtoModelConfig = Tensorflow.Serving.ModelConfig;

namespace RecServe.Server.Grpc;

/// <summary>Turns TF-Serving's <see cref="ModelServerConfig"/> (from HandleReloadConfigRequest) into RecServe's model configs.</summary>
internal static class ModelServerConfigMapper
{
    public static IReadOnlyList<Lifecycle.Config.ModelConfig> Map(ModelServerConfig? config)
    {
        if (config?.ModelConfigList is null)
        {
            throw ServingException.InvalidArgument("the reload request needs config.model_config_list");
        }
        var result = new List<Lifecycle.Config.ModelConfig>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var model in config.ModelConfigList.Config)
        {
            if (string.IsNullOrEmpty(model.Name) || string.IsNullOrEmpty(model.BasePath))
            {
                throw ServingException.InvalidArgument("every model config needs a name and a base_path");
            }
            if (!names.Add(model.Name))
            {
                throw ServingException.InvalidArgument($"model '{model.Name}' appears twice");
            }
            result.Add(new Lifecycle.Config.ModelConfig(model.Name, model.BasePath, Policy(model), new Dictionary<string, long>(model.VersionLabels)));
        }
        return result;
    }

    private static VersionPolicy Policy(ProtoModelConfig model)
    {
        var policy = model.ModelVersionPolicy;
        return policy?.PolicyChoiceCase switch
        {
            FileSystemStoragePathSourceConfig.Types.ServableVersionPolicy.PolicyChoiceOneofCase.Latest =>
                new VersionPolicy.Latest((int)Math.Max(1, policy.Latest.NumVersions)),
            FileSystemStoragePathSourceConfig.Types.ServableVersionPolicy.PolicyChoiceOneofCase.All => new VersionPolicy.All(),
            FileSystemStoragePathSourceConfig.Types.ServableVersionPolicy.PolicyChoiceOneofCase.Specific =>
                new VersionPolicy.Specific(policy.Specific.Versions.ToList()),
            _ => VersionPolicy.Default,
        };
    }
}
