using Google.Protobuf.WellKnownTypes;
using RecServe.Core.Signatures;
using RecServe.Protocol.TensorProto;
using Tensorflow;
using Tensorflow.Serving;

namespace RecServe.Protocol.Metadata;

/// <summary>Describes a model's signature as TF-Serving's model metadata does.</summary>
public static class SignatureDefEncoder
{
    /// <summary>The metadata field name clients ask for.</summary>
    public const string SignatureDefField = "signature_def";

    /// <summary>The <c>SignatureDef</c> of <paramref name="signature"/>.</summary>
    public static SignatureDef Encode(ModelSignature signature)
    {
        var def = new SignatureDef { MethodName = ModelSignature.PredictMethodName };
        foreach (var input in signature.Inputs)
        {
            def.Inputs[input.Name] = Encode(input);
        }
        foreach (var output in signature.Outputs)
        {
            def.Outputs[output.Name] = Encode(output);
        }
        return def;
    }

    /// <summary>The metadata response body for a model version.</summary>
    public static GetModelMetadataResponse EncodeMetadata(string modelName, long version, ModelSignature signature)
    {
        var map = new SignatureDefMap();
        map.SignatureDef[ModelSignature.DefaultName] = Encode(signature);
        var response = new GetModelMetadataResponse
        {
            ModelSpec = new ModelSpec { Name = modelName, Version = version },
        };
        response.Metadata[SignatureDefField] = Any.Pack(map);
        return response;
    }

    private static TensorInfo Encode(TensorSpec spec)
    {
        var info = new TensorInfo
        {
            Name = spec.Name,
            Dtype = DataTypeMapping.ToProtoDataType(spec.DataType),
        };
        info.TensorShape = spec.Shape is null
            ? new TensorShapeProto { UnknownRank = true }
            : TensorProtoEncoder.EncodeShape(spec.Shape);
        return info;
    }
}
