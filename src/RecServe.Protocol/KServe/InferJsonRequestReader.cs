using System.Text.Json;
using RecServe.Core.Errors;
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

    /// <summary>Creates a reader that refuses requests nested deeper than <paramref name="maxDepth"/> (at least 4).</summary>
    public InferJsonRequestReader(int maxDepth = DefaultMaxDepth)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDepth, 4);
        MaxDepth = maxDepth;
    }

    /// <summary>The nesting limit this reader enforces.</summary>
    public int MaxDepth { get; }

    /// <summary>Parses <paramref name="body"/>.</summary>
    /// <exception cref="ServingException">INVALID_ARGUMENT for any malformed body, naming the input at fault.</exception>
    public DecodedInferRequest Read(ReadOnlySpan<byte> body)
    {
        if (body.Trim(" \t\r\n"u8).IsEmpty)
        {
            throw ServingException.InvalidArgument("request body is empty; expected a JSON object with \"inputs\"");
        }
        // The reader's own limit sits one above ours so that our clearer depth error fires first.
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = MaxDepth + 1 });
        var context = new ParseContext(MaxDepth);
        var inputs = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var done = false;
        try
        {
            Next(ref reader);
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw ServingException.InvalidArgument($"request body must be a JSON object with \"inputs\", got {JsonTokens.Describe(ref reader)}");
            }
            string? id = null;
            List<string>? outputs = null;
            var sawInputs = false;
            Next(ref reader);
            while (reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("id"u8))
                {
                    Next(ref reader);
                    id = ReadString(ref reader, "\"id\"");
                }
                else if (reader.ValueTextEquals("inputs"u8))
                {
                    if (sawInputs)
                    {
                        throw ServingException.InvalidArgument("request gives \"inputs\" more than once");
                    }
                    sawInputs = true;
                    Next(ref reader);
                    ReadInputs(ref reader, inputs, context);
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
            done = true;
            return new DecodedInferRequest(id, inputs, outputs ?? [], usedRawContents: false);
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
            if (!done)
            {
                foreach (var tensor in inputs.Values)
                {
                    tensor.Dispose();
                }
            }
        }
    }

    private void ReadInputs(ref Utf8JsonReader reader, Dictionary<string, Tensor> inputs, ParseContext context)
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
            ReadInput(ref reader, inputs, context);
            Next(ref reader);
        }
    }

    private void ReadInput(ref Utf8JsonReader reader, Dictionary<string, Tensor> inputs, ParseContext context)
    {
        string? name = null;
        string? datatype = null;
        long[]? shape = null;
        var sawData = false;
        Utf8JsonReader deferredData = default;
        Tensor? tensor = null;
        try
        {
            Next(ref reader);
            while (reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("name"u8))
                {
                    Next(ref reader);
                    name = ReadString(ref reader, "an input's \"name\"");
                }
                else if (reader.ValueTextEquals("datatype"u8))
                {
                    Next(ref reader);
                    datatype = ReadString(ref reader, "an input's \"datatype\"");
                }
                else if (reader.ValueTextEquals("shape"u8))
                {
                    Next(ref reader);
                    shape = ReadShape(ref reader, name);
                }
                else if (reader.ValueTextEquals("data"u8))
                {
                    if (sawData)
                    {
                        throw ServingException.InvalidArgument($"input '{name}' gives \"data\" more than once");
                    }
                    sawData = true;
                    Next(ref reader);
                    if (name is not null && datatype is not null && shape is not null)
                    {
                        tensor = ReadData(ref reader, name, datatype, shape, context);
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
                throw ServingException.InvalidArgument($"entry {inputs.Count} of \"inputs\" has no \"name\"");
            }
            if (inputs.ContainsKey(name))
            {
                throw ServingException.InvalidArgument($"input '{name}' is given more than once");
            }
            if (datatype is null)
            {
                throw ServingException.InvalidArgument($"input '{name}' has no \"datatype\"");
            }
            if (shape is null)
            {
                throw ServingException.InvalidArgument($"input '{name}' has no \"shape\"");
            }
            if (!sawData)
            {
                throw ServingException.InvalidArgument(
                    $"input '{name}' has no \"data\" (RecServe does not support the binary tensor data extension)");
            }
            tensor ??= ReadData(ref deferredData, name, datatype, shape, context);
            inputs.Add(name, tensor);
            tensor = null;
        }
        finally
        {
            tensor?.Dispose();
        }
    }

    private static Tensor ReadData(ref Utf8JsonReader reader, string name, string datatype, long[] shape, ParseContext context)
    {
        var type = KServeDataType.Parse(datatype, name);
        var count = KServeShape.ElementCount(name, shape);
        using var values = new InputAccumulator(new TensorSpec(name, type, null), []);
        JsonValueReader.Read(ref reader, values, context);
        var given = TensorShape.ElementCount(context.Shape.ToShape());
        if (given != count)
        {
            throw ServingException.InvalidArgument(
                $"input '{name}' has {given} values in \"data\" but shape {TensorShape.Format(shape)} holds {count}");
        }
        return values.ToTensor(shape);
    }

    private static long[] ReadShape(ref Utf8JsonReader reader, string? name)
    {
        var owner = name is null ? "an input's \"shape\"" : $"input '{name}': \"shape\"";
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw ServingException.InvalidArgument($"{owner} must be a list of sizes, got {JsonTokens.Describe(ref reader)}");
        }
        var dims = new List<long>(4);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var dim) || dim < 0)
            {
                throw ServingException.InvalidArgument($"{owner} must hold non-negative whole numbers, got {JsonTokens.Describe(ref reader)}");
            }
            dims.Add(dim);
        }
        return dims.ToArray();
    }

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
}
