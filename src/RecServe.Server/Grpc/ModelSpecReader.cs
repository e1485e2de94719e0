using RecServe.Core.Errors;
using RecServe.Server.Serving;
using Tensorflow.Serving;

namespace RecServe.Server.Grpc;

/// <summary>Reads the model, version and label out of a request's <see cref="ModelSpec"/>.</summary>
internal static class ModelSpecReader
{
    public static PredictionTarget Read(ModelSpec? spec)
    {
        if (spec is null || string.IsNullOrEmpty(spec.Name))
        {
            throw ServingException.InvalidArgument("model_spec.name is required");
        }
        return spec.VersionChoiceCase switch
        {
            ModelSpec.VersionChoiceOneofCase.Version => new(spec.Name, spec.Version, null),
            ModelSpec.VersionChoiceOneofCase.VersionLabel => new(spec.Name, null, spec.VersionLabel),
            _ => new(spec.Name, null, null),
        };
    }
}
