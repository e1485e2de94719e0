using System.Diagnostics.CodeAnalysis;
using RecServe.Core.Tensors;
using RecServe.Protocol.TensorProto;

namespace RecServe.Protocol.KServe;

/// <summary>
/// Reads a KServe v2 <c>ModelInferRequest</c> whose inputs come in <c>raw_input_contents</c> straight from its wire
/// bytes, copying each input once into the kept buffers of <see cref="InputTensorBuffers"/> (the counterpart of
/// <see cref="PredictRequestWireReader"/> for TF-Serving's Predict). It takes only that common shape: a model name,
/// one raw entry per input, fixed-size datatypes, shapes that match the raw lengths, named outputs, no parameters and
/// no fields it does not know. Anything else returns false with the buffers cleared, for Google.Protobuf and
/// <see cref="InferRequestDecoder"/> to parse, decode and word the error.
/// </summary>
public static class InferRequestWireReader
{
    // ModelInferRequest and its InferInputTensor and InferRequestedOutputTensor: field numbers from
    // grpc_predict_v2.proto (the Open Inference Protocol).
    private const int RequestModelName = 1, RequestModelVersion = 2, RequestId = 3, RequestInputs = 5, RequestOutputs = 6, RequestRawContents = 7;
    private const int InputName = 1, InputDatatype = 2, InputShape = 3;
    private const int OutputName = 1;
    private const int MaxInputs = 64, MaxRank = 8;

    /// <summary>
    /// Reads <paramref name="message"/> into <paramref name="into"/> (empty on entry); false, with
    /// <paramref name="into"/> cleared, if the message is not one this reader takes.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> message, InputTensorBuffers into, [NotNullWhen(true)] out WireInferRequest? request)
    {
        request = null;
        Span<Range> inputs = stackalloc Range[MaxInputs];
        Span<Range> raws = stackalloc Range[MaxInputs];
        int inputCount = 0, rawCount = 0;
        string? model = null, version = null, id = null;
        List<string>? outputs = null;
        var cursor = new WireCursor(message);
        var ok = true;
        while (ok && !cursor.AtEnd)
        {
            if (!cursor.TryReadLengthDelimitedField(out var field, out var value))
            {
                ok = false;
                break;
            }
            var range = new Range(cursor.Position - value.Length, cursor.Position);
            switch (field)
            {
                case RequestModelName when model is null:
                    ok = Utf8NameCache.Shared.TryGet(value, out model);
                    break;
                case RequestModelVersion when version is null:
                    ok = Utf8NameCache.Shared.TryGet(value, out version);
                    break;
                case RequestId when id is null:
                    ok = System.Text.Unicode.Utf8.IsValid(value);
                    id = ok ? System.Text.Encoding.UTF8.GetString(value) : null;
                    break;
                case RequestInputs when inputCount < MaxInputs:
                    inputs[inputCount++] = range;
                    break;
                case RequestRawContents when rawCount < MaxInputs:
                    raws[rawCount++] = range;
                    break;
                case RequestOutputs:
                    ok = TryReadOutputName(value, out var output);
                    (outputs ??= []).Add(output);
                    break;
                default:
                    ok = false; // parameters, a repeated singular field, too many inputs, or an unknown field
                    break;
            }
        }
        ok = ok && !string.IsNullOrEmpty(model) && inputCount > 0 && inputCount == rawCount;
        for (var i = 0; ok && i < inputCount; i++)
        {
            ok = TryDecodeInput(message[inputs[i]], message[raws[i]], into);
        }
        if (!ok)
        {
            into.Clear();
            return false;
        }
        request = new WireInferRequest(model!, version ?? "", id ?? "", (IReadOnlyList<string>?)outputs ?? []);
        return true;
    }

    private static bool TryReadOutputName(ReadOnlySpan<byte> bytes, out string name)
    {
        name = "";
        var cursor = new WireCursor(bytes);
        var seen = false;
        while (!cursor.AtEnd)
        {
            // parameters (field 2) and anything else go to the general path.
            if (seen || !cursor.TryReadLengthDelimitedField(out var field, out var value) || field != OutputName
                || !Utf8NameCache.Shared.TryGet(value, out name))
            {
                return false;
            }
            seen = true;
        }
        return name.Length > 0;
    }

    private static bool TryDecodeInput(ReadOnlySpan<byte> bytes, ReadOnlySpan<byte> raw, InputTensorBuffers into)
    {
        string? name = null;
        var type = TensorDataType.Invalid;
        Span<long> dims = stackalloc long[MaxRank];
        var rank = 0;
        var cursor = new WireCursor(bytes);
        while (!cursor.AtEnd)
        {
            if (!cursor.TryReadTag(out var field, out var wireType))
            {
                return false;
            }
            switch (field)
            {
                case InputName when wireType == WireCursor.LengthDelimited && name is null && cursor.TryReadLengthDelimited(out var value):
                    if (!Utf8NameCache.Shared.TryGet(value, out name))
                    {
                        return false;
                    }
                    break;
                case InputDatatype when wireType == WireCursor.LengthDelimited && type == TensorDataType.Invalid && cursor.TryReadLengthDelimited(out var value):
                    if (!KServeDataType.TryParse(value, out type) || type == TensorDataType.String)
                    {
                        return false;
                    }
                    break;
                // shape is a packed repeated int64; a writer may also send it unpacked, one varint per field.
                case InputShape when wireType == WireCursor.LengthDelimited && cursor.TryReadLengthDelimited(out var packed):
                    var dimsCursor = new WireCursor(packed);
                    while (!dimsCursor.AtEnd)
                    {
                        if (rank == MaxRank || !dimsCursor.TryReadVarint(out var size))
                        {
                            return false;
                        }
                        dims[rank++] = unchecked((long)size);
                    }
                    break;
                case InputShape when wireType == WireCursor.Varint && rank < MaxRank && cursor.TryReadVarint(out var dim):
                    dims[rank++] = unchecked((long)dim);
                    break;
                default:
                    return false; // parameters, typed contents, or a field this reader does not know
            }
        }
        if (string.IsNullOrEmpty(name) || type == TensorDataType.Invalid || into.Contains(name))
        {
            return false;
        }
        var shape = dims[..rank];
        if (!WireCursor.TryCountElements(shape, int.MaxValue, out var count) || count * type.ElementSize() != raw.Length)
        {
            return false;
        }
        raw.CopyTo(into.Take(name, type, shape, clear: false).Bytes);
        return true;
    }
}
