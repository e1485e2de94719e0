using Inference;
using RecServe.Core.Errors;
using RecServe.Core.Tensors;

namespace RecServe.Protocol.KServe;

/// <summary>
/// Turns a gRPC <see cref="ModelInferRequest"/> into tensors. The inputs come either all in
/// <c>raw_input_contents</c> (one entry per input, in order) or all in typed <c>contents</c>; the request says
/// which, and the response should answer the same way. Element types come from each input's datatype, so decoding
/// needs no model; checking the inputs against the model's signature is the pipeline's job.
/// </summary>
public static class InferRequestDecoder
{
    /// <summary>Decodes <paramref name="request"/>; INVALID_ARGUMENT, naming the input at fault, if it is malformed.</summary>
    public static DecodedInferRequest Decode(ModelInferRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var raw = request.RawInputContents.Count > 0;
        if (raw && request.RawInputContents.Count != request.Inputs.Count)
        {
            throw ServingException.InvalidArgument(
                $"raw_input_contents has {request.RawInputContents.Count} entries but the request has {request.Inputs.Count} inputs; give one entry per input, in order");
        }

        var inputs = new Dictionary<string, Tensor>(request.Inputs.Count, StringComparer.Ordinal);
        try
        {
            for (var i = 0; i < request.Inputs.Count; i++)
            {
                var input = request.Inputs[i];
                if (string.IsNullOrEmpty(input.Name))
                {
                    throw ServingException.InvalidArgument($"input {i} has no name");
                }
                if (inputs.ContainsKey(input.Name))
                {
                    throw ServingException.InvalidArgument($"input '{input.Name}' is given more than once");
                }
                var type = KServeDataType.Parse(input.Datatype, input.Name);
                var shape = input.Shape.ToArray();
                var count = KServeShape.ElementCount(input.Name, shape);
                if (raw && input.Contents is not null)
                {
                    throw ServingException.InvalidArgument(
                        $"input '{input.Name}' has typed contents although the request uses raw_input_contents; use one or the other for all inputs");
                }
                inputs.Add(input.Name, raw
                    ? RawTensorContents.Decode(input.Name, type, shape, count, request.RawInputContents[i].Span)
                    : TypedTensorContents.Decode(input.Name, type, shape, count, input.Contents));
            }

            var outputs = new string[request.Outputs.Count];
            for (var i = 0; i < outputs.Length; i++)
            {
                outputs[i] = string.IsNullOrEmpty(request.Outputs[i].Name)
                    ? throw ServingException.InvalidArgument($"requested output {i} has no name")
                    : request.Outputs[i].Name;
            }
            return new DecodedInferRequest(request.Id, inputs, outputs, raw);
        }
        catch
        {
            foreach (var tensor in inputs.Values)
            {
                tensor.Dispose();
            }
            throw;
        }
    }
}
