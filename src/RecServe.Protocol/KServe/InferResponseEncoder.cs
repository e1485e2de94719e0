using Inference;
using RecServe.Core.Tensors;

namespace RecServe.Protocol.KServe;

/// <summary>Turns prediction outputs into a gRPC <see cref="ModelInferResponse"/>.</summary>
public static class InferResponseEncoder
{
    /// <summary>
    /// Encodes <paramref name="outputs"/> in <c>raw_output_contents</c> when <paramref name="raw"/> is set, else in
    /// typed contents. The protocol forbids mixing the two, so a response with an output that has no typed field
    /// (FP16) is raw throughout.
    /// </summary>
    public static ModelInferResponse Encode(string modelName, long version, string? id, IReadOnlyList<NamedTensor> outputs, bool raw)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        var response = new ModelInferResponse
        {
            ModelName = modelName,
            ModelVersion = KServeVersion.Format(version),
            Id = id ?? string.Empty,
        };
        raw = raw || !AllTyped(outputs);
        // Indexed loops: an interface's enumerator would be an allocation per response.
        for (var i = 0; i < outputs.Count; i++)
        {
            var (name, tensor) = outputs[i];
            var output = new ModelInferResponse.Types.InferOutputTensor
            {
                Name = name,
                Datatype = KServeDataType.Name(tensor.DataType),
            };
            output.Shape.Add(tensor.Shape);
            if (raw)
            {
                response.RawOutputContents.Add(RawTensorContents.Encode(tensor));
            }
            else
            {
                output.Contents = TypedTensorContents.Encode(tensor);
            }
            response.Outputs.Add(output);
        }
        return response;
    }

    private static bool AllTyped(IReadOnlyList<NamedTensor> outputs)
    {
        for (var i = 0; i < outputs.Count; i++)
        {
            if (!TypedTensorContents.CanEncode(outputs[i].Tensor.DataType))
            {
                return false;
            }
        }
        return true;
    }
}
