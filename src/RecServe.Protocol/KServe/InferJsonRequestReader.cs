using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using RecServe.Core.Errors;
using RecServe.Core.Lifetime;
using RecServe.Core.Signatures;
using RecServe.Core.Tensors;
using RecServe.Protocol.Json;

namespace RecServe.Protocol.KServe;

/// <summary>
/// Parses KServe v2's REST inference request, <c>{"id"?, "parameters"?, "inputs": [{"name", "shape", "datatype",
/// "parameters"?, "data"}], "outputs"?: [{"name", "parameters"?}]}</c>, into tensors. Values stream from a
/// <see cref="Utf8JsonReader"/> into pooled buffers with the same scalar rules as the TF-Serving REST reader; no JSON
/// DOM is built. Instances are stateless and safe to share between threads.
/// </summary>
/// <remarks>
/// "data" may be flat or nested in any regular way: only its element count must match "shape", as the protocol
/// allows. Keys may come in any order; when "data" precedes "shape" or "datatype", its values are scanned twice.
/// "parameters" are ignored, so Triton's binary tensor data extension is not supported.
/// </remarks>
public sealed class InferJsonRequestReader
{
    /// <summary>The nesting depth allowed unless the constructor says otherwise.</summary>
    public const int DefaultMaxDepth = 64;

    // Parser state kept between requests: the nested-list shape tracker, the value accumulator and the shape buffer.
    private readonly ScratchPool<Scratch> _scratch;

    /// <summary>Creates a reader that refuses requests nested deeper than <paramref name="maxDepth"/> (at least 4).</summary>
    public InferJsonRequestReader(int maxDepth = DefaultMaxDepth)
        : this(maxDepth, scanNumberLists: true)
    {
    }

    // scanNumberLists: false reads every value token by token, the reference the tests compare the fast path with.
    internal InferJsonRequestReader(int maxDepth, bool scanNumberLists)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDepth, 4);
        MaxDepth = maxDepth;
        _scratch = new ScratchPool<Scratch>(ScratchPool<Scratch>.DefaultSlots, _ => new Scratch(maxDepth, scanNumberLists));
    }

    /// <summary>The nesting limit this reader enforces.</summary>
    public int MaxDepth { get; }

    /// <summary>Parses <paramref name="body"/> into new tensors that the returned request owns.</summary>
    /// <exception cref="ServingException">INVALID_ARGUMENT for any malformed body, naming the input at fault.</exception>
    public DecodedInferRequest Read(ReadOnlySpan<byte> body)
    {
        using var buffers = new InputTensorBuffers();
        var header = ReadInto(body, null, buffers);
        var inputs = new Dictionary<string, Tensor>(buffers.Count, StringComparer.Ordinal);
        foreach (var (name, tensor) in buffers.Inputs)
        {
            // The buffers keep (or dispose) their own tensors: the request gets copies.
            inputs.Add(name, tensor.DataType == TensorDataType.String
                ? Tensor.FromStrings((long[])tensor.Shape.Clone(), (byte[][])tensor.Strings.Clone())
                : Tensor.FromBytes(tensor.DataType, (long[])tensor.Shape.Clone(), tensor.Bytes));
        }
        var id = header.EscapedId ?? (header.IdInBody.Equals(default(Range)) ? null : Encoding.UTF8.GetString(header.IdUtf8(body)));
        return new DecodedInferRequest(id, inputs, header.OutputNames, usedRawContents: false);
    }

    /// <summary>
    /// Parses <paramref name="body"/> into the tensors <paramref name="into"/> keeps per input name, with the parser's
    /// own state taken from a pool, so that a request like an earlier one allocates nothing (unless it names
    /// <c>outputs</c>, or an input that is not in <paramref name="signature"/>, whose names are then new strings). The
    /// caller clears <paramref name="into"/> when the request is done, also after an error.
    /// </summary>
    /// <param name="body">The request body; keep it until the id in the returned header has been written.</param>
    /// <param name="signature">The model's signature, whose input names are reused; null to decode every name.</param>
    /// <param name="into">Empty buffers to decode into.</param>
    /// <exception cref="ServingException">INVALID_ARGUMENT for any malformed body, naming the input at fault.</exception>
    public InferJsonHeader ReadInto(ReadOnlySpan<byte> body, ModelSignature? signature, InputTensorBuffers into)
    {
        ArgumentNullException.ThrowIfNull(into);
        if (body.Trim(" \t\r\n"u8).IsEmpty)
        {
            throw ServingException.InvalidArgument("request body is empty; expected a JSON object with \"inputs\"");
        }
        // The reader's own limit sits one above ours so that our clearer depth error fires first.
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = MaxDepth + 1 });
        var scratch = _scratch.Rent();
        var known = signature is null ? null : SignatureJsonInputs.For(signature);
        try
        {
            Next(ref reader);
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw ServingException.InvalidArgument($"request body must be a JSON object with \"inputs\", got {JsonTokens.Describe(ref reader)}");
            }
            Range idInBody = default;
            string? escapedId = null;
            List<string>? outputs = null;
            var sawInputs = false;
            Next(ref reader);
            while (reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("id"u8))
                {
                    Next(ref reader);
                    (idInBody, escapedId) = ReadId(ref reader);
                }
                else if (reader.ValueTextEquals("inputs"u8))
                {
                    if (sawInputs)
                    {
                        throw ServingException.InvalidArgument("request gives \"inputs\" more than once");
                    }
                    sawInputs = true;
                    Next(ref reader);
                    ReadInputs(ref reader, into, known, scratch);
                }
                else if (reader.ValueTextEquals("outputs"u8))
                {
                    if (outputs is not null)
                    {
                        throw ServingException.InvalidArgument("request gives \"outputs\" more than once");
                    }
                    Next(ref reader);
                    outputs = ReadOutputs(ref reader);
                }
                else
                {
                    Next(ref reader);
                    JsonTokens.Skip(ref reader, MaxDepth);
                }
                Next(ref reader);
            }
            // Reading past the closing brace makes the reader reject anything but whitespace after it.
            reader.Read();
            if (!sawInputs)
            {
                throw ServingException.InvalidArgument("request has no \"inputs\"; expected {\"inputs\": [{\"name\", \"shape\", \"datatype\", \"data\"}, ...]}");
            }
            return new InferJsonHeader(idInBody, escapedId, outputs ?? (IReadOnlyList<string>)[]);
        }
        catch (JsonException ex)
        {
            throw new ServingException(ServingErrorCode.InvalidArgument, $"request body is not valid JSON: {ex.Message}", ex);
        }
        catch (InvalidOperationException ex)
        {
            // Utf8JsonReader throws this, not JsonException, when comparing or unescaping text that is not valid
            // UTF-16 once unescaped (a lone surrogate such as "\ud800").
            throw new ServingException(ServingErrorCode.InvalidArgument, $"request body holds invalid text: {ex.Message}", ex);
        }
        finally
        {
            scratch.Values.Reset();
            _scratch.Return(scratch);
        }
    }

    // An id without escapes stays in the body; one with escapes is decoded (rare: ids are mostly plain ASCII).
    private static (Range InBody, string? Escaped) ReadId(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
        {
            return (default, ReadString(ref reader, "\"id\""));
        }
        if (!Utf8.IsValid(reader.ValueSpan))
        {
            throw ServingException.InvalidArgument("\"id\" is not valid UTF-8");
        }
        // The token starts at its opening quote.
        var start = (int)reader.TokenStartIndex + 1;
        return (start..(start + reader.ValueSpan.Length), null);
    }

    private void ReadInputs(ref Utf8JsonReader reader, InputTensorBuffers into, SignatureJsonInputs? known, Scratch scratch)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw ServingException.InvalidArgument($"\"inputs\" must be a list of tensor objects, got {JsonTokens.Describe(ref reader)}");
        }
        Next(ref reader);
        while (reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw ServingException.InvalidArgument($"each entry of \"inputs\" must be an object, got {JsonTokens.Describe(ref reader)}");
            }
            ReadInput(ref reader, into, known, scratch);
            Next(ref reader);
        }
    }

    private void ReadInput(ref Utf8JsonReader reader, InputTensorBuffers into, SignatureJsonInputs? known, Scratch scratch)
    {
        string? name = null;
        TensorSpec? knownSpec = null;
        TensorDataType? type = null;
        // A datatype RecServe does not serve, kept to be refused (naming the input) once the entry is read.
        string? unservedType = null;
        var rank = -1;
        var sawData = false;
        var dataRead = false;
        Utf8JsonReader deferredData = default;
        Next(ref reader);
        while (reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("name"u8))
            {
                Next(ref reader);
                (name, knownSpec) = ReadName(ref reader, known);
            }
            else if (reader.ValueTextEquals("datatype"u8))
            {
                Next(ref reader);
                (type, unservedType) = ReadDataType(ref reader);
            }
            else if (reader.ValueTextEquals("shape"u8))
            {
                Next(ref reader);
                rank = ReadShape(ref reader, name, scratch);
            }
            else if (reader.ValueTextEquals("data"u8))
            {
                if (sawData)
                {
                    throw ServingException.InvalidArgument($"input '{name}' gives \"data\" more than once");
                }
                sawData = true;
                Next(ref reader);
                if (name is not null && type is not null && rank >= 0 && !into.Contains(name))
                {
                    ReadData(ref reader, name, Spec(name, type.Value, knownSpec), scratch.Shape.AsSpan(0, rank), scratch, into);
                    dataRead = true;
                }
                else
                {
                    // "shape" or "datatype" still to come: keep a copy of the reader here and parse once they are known.
                    deferredData = reader;
                    JsonTokens.Skip(ref reader, MaxDepth);
                }
            }
            else
            {
                Next(ref reader);
                JsonTokens.Skip(ref reader, MaxDepth);
            }
            Next(ref reader);
        }

        if (string.IsNullOrEmpty(name))
        {
            throw ServingException.InvalidArgument($"entry {into.Count} of \"inputs\" has no \"name\"");
        }
        if (!dataRead && into.Contains(name))
        {
            throw ServingException.InvalidArgument($"input '{name}' is given more than once");
        }
        if (type is null && unservedType is null)
        {
            throw ServingException.InvalidArgument($"input '{name}' has no \"datatype\"");
        }
        if (rank < 0)
        {
            throw ServingException.InvalidArgument($"input '{name}' has no \"shape\"");
        }
        if (!sawData)
        {
            throw ServingException.InvalidArgument(
                $"input '{name}' has no \"data\" (RecServe does not support the binary tensor data extension)");
        }
        // Throws: the type is not one RecServe serves.
        type ??= KServeDataType.Parse(unservedType!, name);
        if (!dataRead)
        {
            ReadData(ref deferredData, name, Spec(name, type.Value, knownSpec), scratch.Shape.AsSpan(0, rank), scratch, into);
        }
    }

    // The signature's own spec when the request agrees with it on the type, so that nothing is made per request.
    private static TensorSpec Spec(string name, TensorDataType type, TensorSpec? known) =>
        known is not null && known.DataType == type ? known : new TensorSpec(name, type, null);

    private static void ReadData(ref Utf8JsonReader reader, string name, TensorSpec spec, ReadOnlySpan<long> shape, Scratch scratch, InputTensorBuffers into)
    {
        var count = KServeShape.ElementCount(name, shape);
        var values = scratch.Values;
        values.Reset();
        values.Retarget(spec);
        JsonValueReader.Read(ref reader, values, scratch.Context);
        var given = TensorShape.ElementCount(scratch.Context.Shape.Dims);
        if (given != count)
        {
            throw ServingException.InvalidArgument(
                $"input '{name}' has {given} values in \"data\" but shape {TensorShape.Format(shape)} holds {count}");
        }
        values.ToTensorInto(shape, into);
    }

    private static (string Name, TensorSpec? Known) ReadName(ref Utf8JsonReader reader, SignatureJsonInputs? known)
    {
        if (reader.TokenType == JsonTokenType.String && known is not null && known.Find(ref reader) is var index and >= 0)
        {
            return (known.Specs[index].Name, known.Specs[index]);
        }
        return (ReadString(ref reader, "an input's \"name\""), null);
    }

    // The served type the token names, read without making a string; otherwise the token's text, for the error.
    private static (TensorDataType? Type, string? Unserved) ReadDataType(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String && KServeDataType.TryParse(ref reader, out var type))
        {
            return (type, null);
        }
        return (null, ReadString(ref reader, "an input's \"datatype\""));
    }

    // Reads the sizes into the scratch shape buffer and returns how many there are.
    private static int ReadShape(ref Utf8JsonReader reader, string? name, Scratch scratch)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw ServingException.InvalidArgument($"{ShapeOwner(name)} must be a list of sizes, got {JsonTokens.Describe(ref reader)}");
        }
        var rank = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var dim) || dim < 0)
            {
                throw ServingException.InvalidArgument($"{ShapeOwner(name)} must hold non-negative whole numbers, got {JsonTokens.Describe(ref reader)}");
            }
            if (rank == scratch.Shape.Length)
            {
                Array.Resize(ref scratch.Shape, rank * 2);
            }
            scratch.Shape[rank++] = dim;
        }
        return rank;
    }

    // Made only for an error message: a string per request otherwise.
    private static string ShapeOwner(string? name) => name is null ? "an input's \"shape\"" : $"input '{name}': \"shape\"";

    private List<string> ReadOutputs(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw ServingException.InvalidArgument($"\"outputs\" must be a list of objects with \"name\", got {JsonTokens.Describe(ref reader)}");
        }
        var names = new List<string>();
        Next(ref reader);
        while (reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw ServingException.InvalidArgument($"each entry of \"outputs\" must be an object with \"name\", got {JsonTokens.Describe(ref reader)}");
            }
            string? name = null;
            Next(ref reader);
            while (reader.TokenType == JsonTokenType.PropertyName)
            {
                var isName = reader.ValueTextEquals("name"u8);
                Next(ref reader);
                if (isName)
                {
                    name = ReadString(ref reader, "an output's \"name\"");
                }
                else
                {
                    JsonTokens.Skip(ref reader, MaxDepth);
                }
                Next(ref reader);
            }
            names.Add(string.IsNullOrEmpty(name)
                ? throw ServingException.InvalidArgument($"entry {names.Count} of \"outputs\" has no \"name\"")
                : name);
            Next(ref reader);
        }
        return names;
    }

    private static string ReadString(ref Utf8JsonReader reader, string what)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw ServingException.InvalidArgument($"{what} must be a string, got {JsonTokens.Describe(ref reader)}");
        }
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException ex)
        {
            throw new ServingException(ServingErrorCode.InvalidArgument, $"{what} is not valid UTF-8", ex);
        }
    }

    private void Next(ref Utf8JsonReader reader) => JsonTokens.Next(ref reader, MaxDepth);

    /// <summary>One request's parser state, kept between requests.</summary>
    private sealed class Scratch(int maxDepth, bool scanNumberLists)
    {
        public ParseContext Context { get; } = new(maxDepth, scanNumberLists);

        // Retargeted to each input in turn; its buffer is kept.
        public InputAccumulator Values { get; } = new(new TensorSpec("", TensorDataType.Float32, null), []);

        // The current input's "shape" (grows for a rank above 8, which few models have).
        public long[] Shape = new long[8];
    }
}
