using Inference;
using RecServe.Core.Signatures;

namespace RecServe.Protocol.KServe;

/// <summary>Describes a model as KServe v2's model metadata does: name, versions, platform, inputs and outputs.</summary>
public static class ModelMetadataEncoder
{
    /// <summary>
    /// The metadata of a model serving <paramref name="versions"/> whose signature is <paramref name="signature"/>.
    /// Dynamic dimensions are -1; a tensor of unknown rank gets an empty shape, which the protocol has no other way
    /// to say.
    /// </summary>
    public static ModelMetadataResponse Encode(string modelName, IEnumerable<long> versions, string platform, ModelSignature signature)
    {
        ArgumentNullException.ThrowIfNull(versions);
        ArgumentNullException.ThrowIfNull(signature);
        var response = new ModelMetadataResponse { Name = modelName, Platform = platform };
        foreach (var version in versions)
        {
            response.Versions.Add(KServeVersion.Format(version));
        }
        foreach (var input in signature.Inputs)
        {
            response.Inputs.Add(Encode(input));
        }
        foreach (var output in signature.Outputs)
        {
            response.Outputs.Add(Encode(output));
        }
        return response;
    }

    private static ModelMetadataResponse.Types.TensorMetadata Encode(TensorSpec spec)
    {
        var tensor = new ModelMetadataResponse.Types.TensorMetadata
        {
            Name = spec.Name,
            Datatype = KServeDataType.Name(spec.DataType),
        };
        if (spec.Shape is not null)
        {
            tensor.Shape.Add(spec.Shape);
        }
        return tensor;
    }
}
