using System.Text.Json;
using RecServe.Core.Errors;
using RecServe.Core.Lifetime;
using RecServe.Core.Signatures;
using RecServe.Core.Tensors;

namespace RecServe.Protocol.Json;

/// <summary>
/// Parses the body of TensorFlow Serving's REST predict call (<c>POST /v1/models/NAME:predict</c>) into input
/// tensors typed by the model's signature, with TF-Serving's rules and INVALID_ARGUMENT errors that name the
/// input at fault. Values stream from a <see cref="Utf8JsonReader"/> into pooled buffers; no JSON DOM is built.
/// Instances are stateless and safe to share between threads.
/// </summary>
/// <remarks>
/// <para>The body is an object with <c>"instances"</c> (row format) or <c>"inputs"</c> (columnar format), exactly
/// one of them, and optionally <c>"signature_name"</c>; other keys are ignored, as TF-Serving does.</para>
/// <para>Standard JSON has no NaN or infinity; float inputs accept the strings "NaN", "Infinity" and "-Infinity"
/// where TF-Serving accepts the bare tokens.</para>
/// </remarks>
public sealed class PredictJsonRequestReader
{
    // Parser state kept between requests (its nested-list shape is two arrays of MaxDepth + 1 longs).
    private readonly ScratchPool<ParseContext> _contexts;

    /// <summary>The nesting depth allowed unless the constructor says otherwise.</summary>
    public const int DefaultMaxDepth = 64;

    /// <summary>Creates a reader that refuses requests nested deeper than <paramref name="maxDepth"/>.</summary>
    /// <param name="maxDepth">
    /// Most JSON objects and lists that may enclose one another, the top-level object included; at least 2.
    /// Bounds the work a hostile body can cause and the tensor rank a client can send.
    /// </param>
    public PredictJsonRequestReader(int maxDepth = DefaultMaxDepth)
        : this(maxDepth, scanNumberLists: true)
    {
    }

    // scanNumberLists: false reads every value token by token, the reference the tests compare the fast path with.
    internal PredictJsonRequestReader(int maxDepth, bool scanNumberLists)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDepth, 2);
        MaxDepth = maxDepth;
        _contexts = new ScratchPool<ParseContext>(ScratchPool<ParseContext>.DefaultSlots, _ => new ParseContext(maxDepth, scanNumberLists));
    }

    /// <summary>The nesting limit this reader enforces.</summary>
    public int MaxDepth { get; }

    /// <summary>Parses <paramref name="body"/> against <paramref name="signature"/>.</summary>
    /// <exception cref="ServingException">INVALID_ARGUMENT for any malformed or mismatched body.</exception>
    public PredictJsonRequest Read(ReadOnlySpan<byte> body, ModelSignature signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        return ReadCore(body, signature, null);
    }

    /// <summary>
    /// Parses <paramref name="body"/> against the signature that <paramref name="resolveSignature"/> returns for
    /// the body's <c>signature_name</c> (null when it has none). When <c>signature_name</c> comes after the values,
    /// the values are scanned twice; put it first for one pass.
    /// </summary>
    /// <exception cref="ServingException">
    /// INVALID_ARGUMENT for any malformed or mismatched body; whatever <paramref name="resolveSignature"/> throws.
    /// </exception>
    public PredictJsonRequest Read(ReadOnlySpan<byte> body, Func<string?, ModelSignature> resolveSignature)
    {
        ArgumentNullException.ThrowIfNull(resolveSignature);
        return ReadCore(body, null, resolveSignature);
    }

    /// <summary>
    /// As <see cref="Read(ReadOnlySpan{byte}, ModelSignature)"/>, into the tensors <paramref name="into"/> keeps per
    /// input name, with the parser's own state taken from pools, so that a request like an earlier one allocates
    /// nothing. Returns the body's <c>signature_name</c> and format. The caller clears <paramref name="into"/> when the
    /// request is done, also after an error.
    /// </summary>
    /// <exception cref="ServingException">INVALID_ARGUMENT for any malformed or mismatched body.</exception>
    public PredictJsonHeader ReadInto(ReadOnlySpan<byte> body, ModelSignature signature, InputTensorBuffers into)
    {
        ArgumentNullException.ThrowIfNull(signature);
        ArgumentNullException.ThrowIfNull(into);
        var (signatureName, format, _) = ReadCore(body, signature, null, into);
        return new PredictJsonHeader(signatureName, format);
    }

    private PredictJsonRequest ReadCore(ReadOnlySpan<byte> body, ModelSignature? signature, Func<string?, ModelSignature>? resolve)
    {
        var (signatureName, format, inputs) = ReadCore(body, signature, resolve, null);
        return new PredictJsonRequest(signatureName, format, inputs!);
    }

    private (string? SignatureName, PredictJsonFormat Format, Dictionary<string, Tensor>? Inputs) ReadCore(
        ReadOnlySpan<byte> body, ModelSignature? signature, Func<string?, ModelSignature>? resolve, InputTensorBuffers? into)
    {
        if (body.Trim(" \t\r\n"u8).IsEmpty)
        {
            throw ServingException.InvalidArgument("request body is empty; expected a JSON object with \"instances\" or \"inputs\"");
        }

        // The reader's own limit sits one above ours so that our clearer depth error fires first.
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = MaxDepth + 1 });
        var context = _contexts.Rent();
        context.Row = -1;
        InputSet? inputs = null;
        try
        {
            JsonTokens.Next(ref reader, MaxDepth);
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw ServingException.InvalidArgument(
                    $"request body must be a JSON object with \"instances\" or \"inputs\", got {JsonTokens.Describe(ref reader)}");
            }

            string? signatureName = null;
            var sawSignatureName = false;
            PredictJsonFormat? format = null;
            Utf8JsonReader deferred = default;
            var rows = 0;

            JsonTokens.Next(ref reader, MaxDepth);
            while (reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("signature_name"u8))
                {
                    if (sawSignatureName)
                    {
                        throw ServingException.InvalidArgument("request gives \"signature_name\" more than once");
                    }
                    JsonTokens.Next(ref reader, MaxDepth);
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        throw ServingException.InvalidArgument(
                            $"\"signature_name\" must be a string, got {JsonTokens.Describe(ref reader)}");
                    }
                    signatureName = ReadSignatureName(ref reader);
                    sawSignatureName = true;
                }
                else if (TryGetFormat(ref reader, out var keyFormat))
                {
                    if (format is not null)
                    {
                        throw ServingException.InvalidArgument(
                            "request must have exactly one of \"instances\" (row format) and \"inputs\" (columnar format), not both or either twice");
                    }
                    format = keyFormat;
                    JsonTokens.Next(ref reader, MaxDepth);
                    if (signature is null && sawSignatureName)
                    {
                        signature = resolve!(signatureName);
                    }
                    if (signature is null)
                    {
                        // A signature_name may still follow: keep a copy of the reader here and parse on a second pass.
                        deferred = reader;
                        JsonTokens.Skip(ref reader, MaxDepth);
                    }
                    else
                    {
                        inputs = InputSet.Rent(signature);
                        rows = ParseValues(ref reader, keyFormat, inputs, context);
                    }
                }
                else
                {
                    JsonTokens.Next(ref reader, MaxDepth);
                    JsonTokens.Skip(ref reader, MaxDepth);
                }
                JsonTokens.Next(ref reader, MaxDepth);
            }
            // Reading past the closing brace makes the reader reject anything but whitespace after it.
            reader.Read();

            if (format is null)
            {
                throw ServingException.InvalidArgument(
                    "request must have \"instances\" (row format) or \"inputs\" (columnar format)");
            }
            if (inputs is null)
            {
                inputs = InputSet.Rent(resolve!(signatureName));
                rows = ParseValues(ref deferred, format.Value, inputs, context);
            }
            if (into is not null)
            {
                inputs.ToTensorsInto(format.Value, rows, into);
                return (signatureName, format.Value, null);
            }
            return (signatureName, format.Value, inputs.ToTensors(format.Value, rows));
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
            inputs?.Return();
            _contexts.Return(context);
        }
    }

    private static int ParseValues(ref Utf8JsonReader reader, PredictJsonFormat format, InputSet inputs, ParseContext context)
    {
        if (format == PredictJsonFormat.Row)
        {
            return RowFormatParser.Read(ref reader, inputs, context);
        }
        ColumnarFormatParser.Read(ref reader, inputs, context);
        return 0;
    }

    private static string ReadSignatureName(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException ex)
        {
            throw new ServingException(ServingErrorCode.InvalidArgument, "\"signature_name\" is not valid UTF-8", ex);
        }
    }

    private static bool TryGetFormat(ref Utf8JsonReader reader, out PredictJsonFormat format)
    {
        if (reader.ValueTextEquals("instances"u8))
        {
            format = PredictJsonFormat.Row;
            return true;
        }
        if (reader.ValueTextEquals("inputs"u8))
        {
            format = PredictJsonFormat.Columnar;
            return true;
        }
        format = default;
        return false;
    }
}
