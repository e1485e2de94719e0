using Google.Protobuf.Collections;
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

            return new DecodedInferRequest(request.Id, inputs, OutputNames(request), raw);
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

    /// <summary>
    /// As <see cref="Decode"/>, into the tensors <paramref name="into"/> keeps per input name, so that a request like
    /// the last one (raw contents) allocates nothing; returns whether the inputs came in <c>raw_input_contents</c>.
    /// The caller clears <paramref name="into"/> when the request is done, also after an error.
    /// </summary>
    public static bool DecodeInto(ModelInferRequest request, InputTensorBuffers into)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(into);
        var raw = request.RawInputContents.Count > 0;
        if (raw && request.RawInputContents.Count != request.Inputs.Count)
        {
            throw ServingException.InvalidArgument(
                $"raw_input_contents has {request.RawInputContents.Count} entries but the request has {request.Inputs.Count} inputs; give one entry per input, in order");
        }
        Span<long> scratch = stackalloc long[8];
        for (var i = 0; i < request.Inputs.Count; i++)
        {
            var input = request.Inputs[i];
            if (string.IsNullOrEmpty(input.Name))
            {
                throw ServingException.InvalidArgument($"input {i} has no name");
            }
            if (into.Contains(input.Name))
            {
                throw ServingException.InvalidArgument($"input '{input.Name}' is given more than once");
            }
            var type = KServeDataType.Parse(input.Datatype, input.Name);
            var shape = Shape(input.Shape, scratch);
            var count = KServeShape.ElementCount(input.Name, shape);
            if (raw && input.Contents is not null)
            {
                throw ServingException.InvalidArgument(
                    $"input '{input.Name}' has typed contents although the request uses raw_input_contents; use one or the other for all inputs");
            }
            if (raw && type != TensorDataType.String)
            {
                var bytes = request.RawInputContents[i].Span;
                RawTensorContents.CheckLength(input.Name, type, shape, count, bytes);
                bytes.CopyTo(into.Take(input.Name, type, shape, clear: false).Bytes);
                continue;
            }
            into.AddOwned(input.Name, raw
                ? RawTensorContents.Decode(input.Name, type, shape.ToArray(), count, request.RawInputContents[i].Span)
                : TypedTensorContents.Decode(input.Name, type, shape.ToArray(), count, input.Contents));
        }
        return raw;
    }

    /// <summary>The outputs <paramref name="request"/> names in <c>outputs</c> (empty: all); INVALID_ARGUMENT for one without a name.</summary>
    public static IReadOnlyList<string> OutputNames(ModelInferRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Outputs.Count == 0)
        {
            return [];
        }
        var outputs = new string[request.Outputs.Count];
        for (var i = 0; i < outputs.Length; i++)
        {
            outputs[i] = string.IsNullOrEmpty(request.Outputs[i].Name)
                ? throw ServingException.InvalidArgument($"requested output {i} has no name")
                : request.Outputs[i].Name;
        }
        return outputs;
    }

    private static ReadOnlySpan<long> Shape(RepeatedField<long> dims, Span<long> scratch)
    {
        var shape = dims.Count <= scratch.Length ? scratch[..dims.Count] : new long[dims.Count];
        for (var i = 0; i < shape.Length; i++)
        {
            shape[i] = dims[i];
        }
        return shape;
    }
}
