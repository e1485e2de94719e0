using System.Diagnostics.CodeAnalysis;
using RecServe.Core.Tensors;
using Tensorflow;

namespace RecServe.Protocol.TensorProto;

/// <summary>
/// Reads a TF-Serving <c>PredictRequest</c> straight from its wire bytes, copying each input's <c>tensor_content</c>
/// once, into the kept buffers of <see cref="InputTensorBuffers"/>: no request message, no <c>ByteString</c> copy of
/// every tensor (51 KB of garbage per 256-row request of the example model), no second copy out of it.
/// <para>
/// It takes only the common shape of a request: a model spec with a name, inputs that all carry
/// <c>tensor_content</c> of a served fixed-size type whose length matches a valid shape within the element limit,
/// each input once, and no fields it does not know. Anything else (typed <c>*_val</c> fields, strings, duplicate or
/// unknown fields, any malformed byte) returns false with the buffers cleared, and the caller parses the
/// message with Google.Protobuf and decodes it with <see cref="TensorProtoDecoder"/>, which words every error. So
/// both paths give the same answer for every request this one takes.
/// </para>
/// </summary>
public static class PredictRequestWireReader
{
    // PredictRequest, ModelSpec, Int64Value, TensorProto, TensorShapeProto and its Dim: field numbers from
    // tensorflow_serving/apis/predict.proto and model.proto, tensorflow/core/framework/tensor.proto and tensor_shape.proto.
    private const int RequestModelSpec = 1, RequestInputs = 2, RequestOutputFilter = 3;
    private const int SpecName = 1, SpecVersion = 2, SpecSignatureName = 3, SpecVersionLabel = 4;
    private const int Int64Value = 1;
    private const int EntryKey = 1, EntryValue = 2;
    private const int TensorDtype = 1, TensorShapeField = 2, TensorVersionNumber = 3, TensorContent = 4;
    private const int ShapeDim = 2, DimSize = 1, DimName = 2;
    private const int MaxRank = 8;

    /// <summary>
    /// Reads <paramref name="message"/> into <paramref name="into"/> (empty on entry); false, with
    /// <paramref name="into"/> cleared, if the message is not one this reader takes.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> message, long maxElements, InputTensorBuffers into, [NotNullWhen(true)] out WirePredictRequest? request)
    {
        request = null;
        List<string>? outputFilter = null;
        (string Name, long? Version, string? Label, string Signature)? spec = null;
        var cursor = new WireCursor(message);
        var ok = true;
        while (ok && !cursor.AtEnd)
        {
            if (!cursor.TryReadLengthDelimitedField(out var field, out var value))
            {
                ok = false;
                break;
            }
            switch (field)
            {
                case RequestModelSpec:
                    ok = spec is null && TryReadSpec(value, out spec);
                    break;
                case RequestInputs:
                    ok = TryReadInput(value, maxElements, into);
                    break;
                case RequestOutputFilter:
                    ok = Utf8NameCache.Shared.TryGet(value, out var output);
                    (outputFilter ??= []).Add(output);
                    break;
                default:
                    ok = false; // an unknown field: Google.Protobuf keeps it; leave the request to it
                    break;
            }
        }
        if (!ok || spec is not { } s || into.Count == 0)
        {
            into.Clear();
            return false;
        }
        request = new WirePredictRequest(s.Name, s.Version, s.Label, s.Signature, (IReadOnlyList<string>?)outputFilter ?? []);
        return true;
    }

    private static bool TryReadSpec(ReadOnlySpan<byte> bytes, out (string, long?, string?, string)? spec)
    {
        spec = null;
        string? name = null, label = null, signature = null;
        long? version = null;
        var cursor = new WireCursor(bytes);
        while (!cursor.AtEnd)
        {
            if (!cursor.TryReadLengthDelimitedField(out var field, out var value))
            {
                return false;
            }
            switch (field)
            {
                case SpecName when name is null && Utf8NameCache.Shared.TryGet(value, out var read):
                    name = read;
                    break;
                case SpecSignatureName when signature is null && Utf8NameCache.Shared.TryGet(value, out var read):
                    signature = read;
                    break;
                // version and version_label are a oneof: the one that comes last is the choice.
                case SpecVersion when TryReadInt64Value(value, out var number):
                    version = number;
                    label = null;
                    break;
                case SpecVersionLabel when Utf8NameCache.Shared.TryGet(value, out var read):
                    label = read;
                    version = null;
                    break;
                default:
                    return false;
            }
        }
        if (string.IsNullOrEmpty(name))
        {
            return false; // the general path says model_spec.name is required
        }
        spec = (name, version, label, signature ?? "");
        return true;
    }

    private static bool TryReadInt64Value(ReadOnlySpan<byte> bytes, out long number)
    {
        number = 0;
        var cursor = new WireCursor(bytes);
        var seen = false;
        while (!cursor.AtEnd)
        {
            if (seen || !cursor.TryReadTag(out var field, out var wireType) || field != Int64Value || wireType != WireCursor.Varint
                || !cursor.TryReadVarint(out var value))
            {
                return false;
            }
            number = unchecked((long)value);
            seen = true;
        }
        return true;
    }

    private static bool TryReadInput(ReadOnlySpan<byte> entry, long maxElements, InputTensorBuffers into)
    {
        string? name = null;
        var tensor = ReadOnlySpan<byte>.Empty;
        var hasTensor = false;
        var cursor = new WireCursor(entry);
        while (!cursor.AtEnd)
        {
            if (!cursor.TryReadLengthDelimitedField(out var field, out var value))
            {
                return false;
            }
            switch (field)
            {
                case EntryKey when name is null && Utf8NameCache.Shared.TryGet(value, out var read):
                    name = read;
                    break;
                case EntryValue when !hasTensor:
                    tensor = value;
                    hasTensor = true;
                    break;
                default:
                    return false;
            }
        }
        // A map entry without a key is the key "": let the general path name it in its error.
        return !string.IsNullOrEmpty(name) && hasTensor && !into.Contains(name) && TryDecodeTensor(name, tensor, maxElements, into);
    }

    private static bool TryDecodeTensor(string name, ReadOnlySpan<byte> bytes, long maxElements, InputTensorBuffers into)
    {
        int? dtype = null;
        Span<long> dims = stackalloc long[MaxRank];
        var rank = -1;
        var content = ReadOnlySpan<byte>.Empty;
        var cursor = new WireCursor(bytes);
        while (!cursor.AtEnd)
        {
            if (!cursor.TryReadTag(out var field, out var wireType))
            {
                return false;
            }
            switch (field)
            {
                case TensorDtype when wireType == WireCursor.Varint && dtype is null && cursor.TryReadVarint(out var value):
                    dtype = unchecked((int)value);
                    break;
                case TensorShapeField when wireType == WireCursor.LengthDelimited && rank < 0 && cursor.TryReadLengthDelimited(out var shape):
                    if (!TryReadShape(shape, dims, out rank))
                    {
                        return false;
                    }
                    break;
                case TensorVersionNumber when wireType == WireCursor.Varint && cursor.TryReadVarint(out _):
                    break;
                case TensorContent when wireType == WireCursor.LengthDelimited && content.IsEmpty && cursor.TryReadLengthDelimited(out var read):
                    content = read;
                    if (content.IsEmpty)
                    {
                        return false; // empty tensor_content reads as no values: zeros, the general path's business
                    }
                    break;
                default:
                    return false; // typed values, a repeated field, or a field this reader does not know
            }
        }
        if (dtype is not { } code || content.IsEmpty || !DataTypeMapping.TryToTensorDataType((DataType)code, out var type) || type == TensorDataType.String)
        {
            return false;
        }
        var shapeDims = dims[..Math.Max(rank, 0)];
        if (!WireCursor.TryCountElements(shapeDims, Math.Min(maxElements, int.MaxValue), out var count)
            || count * type.ElementSize() != content.Length)
        {
            return false;
        }
        content.CopyTo(into.Take(name, type, shapeDims, clear: false).Bytes);
        return true;
    }

    private static bool TryReadShape(ReadOnlySpan<byte> bytes, Span<long> dims, out int rank)
    {
        rank = 0;
        var cursor = new WireCursor(bytes);
        while (!cursor.AtEnd)
        {
            // unknown_rank (field 3) and anything else go to the general path.
            if (!cursor.TryReadTag(out var field, out var wireType) || field != ShapeDim || wireType != WireCursor.LengthDelimited
                || !cursor.TryReadLengthDelimited(out var dim) || rank == dims.Length || !TryReadDim(dim, out dims[rank]))
            {
                return false;
            }
            rank++;
        }
        return true;
    }

    private static bool TryReadDim(ReadOnlySpan<byte> bytes, out long size)
    {
        size = 0;
        var cursor = new WireCursor(bytes);
        var seenSize = false;
        while (!cursor.AtEnd)
        {
            if (!cursor.TryReadTag(out var field, out var wireType))
            {
                return false;
            }
            if (field == DimSize && wireType == WireCursor.Varint && !seenSize && cursor.TryReadVarint(out var value))
            {
                size = unchecked((long)value);
                seenSize = true;
            }
            else if (!(field == DimName && wireType == WireCursor.LengthDelimited && cursor.TryReadLengthDelimited(out var name)
                && System.Text.Unicode.Utf8.IsValid(name)))
            {
                return false;
            }
        }
        return size >= 0;
    }
}
