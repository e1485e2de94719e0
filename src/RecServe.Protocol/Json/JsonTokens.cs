using System.Text;
using System.Text.Json;
using RecServe.Core.Errors;

namespace RecServe.Protocol.Json;

/// <summary>Small operations on <see cref="Utf8JsonReader"/> shared by the request parsers.</summary>
internal static class JsonTokens
{
    private const int MaxQuotedBytes = 64;

    /// <summary>
    /// Moves to the next token, refusing to enter an object or list deeper than <paramref name="maxDepth"/>.
    /// The check is ours rather than the reader's so that the client gets a message about depth, not syntax.
    /// </summary>
    public static void Next(ref Utf8JsonReader reader, int maxDepth)
    {
        if (!reader.Read())
        {
            throw ServingException.InvalidArgument("request body is not valid JSON: it ends in the middle of a value");
        }
        if ((reader.TokenType is JsonTokenType.StartArray or JsonTokenType.StartObject) && reader.CurrentDepth >= maxDepth)
        {
            throw ServingException.InvalidArgument(
                $"request JSON is nested more than {maxDepth} levels deep, the most this server accepts (--max_json_depth)");
        }
    }

    /// <summary>Moves past the value whose first token the reader is on, leaving it on the value's last token.</summary>
    public static void Skip(ref Utf8JsonReader reader, int maxDepth)
    {
        if (reader.TokenType is not (JsonTokenType.StartArray or JsonTokenType.StartObject))
        {
            return;
        }
        var depth = reader.CurrentDepth;
        do
        {
            Next(ref reader, maxDepth);
        }
        while (!((reader.TokenType is JsonTokenType.EndArray or JsonTokenType.EndObject) && reader.CurrentDepth == depth));
    }

    /// <summary>
    /// Whether the object starting at the reader is <c>{"b64": "..."}</c>, which TF-Serving treats as one bytes
    /// value rather than as an object of named values. The reader is taken by value, so the caller's does not move.
    /// </summary>
    public static bool IsBase64Object(Utf8JsonReader reader)
        => reader.TokenType == JsonTokenType.StartObject
            && reader.Read() && reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("b64"u8)
            && reader.Read() && reader.TokenType == JsonTokenType.String
            && reader.Read() && reader.TokenType == JsonTokenType.EndObject;

    /// <summary>The current string token's bytes with JSON escapes resolved.</summary>
    public static byte[] CopyUnescaped(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            return reader.ValueSpan.ToArray();
        }
        // Unescaping never lengthens a string, so the escaped length bounds the result.
        var buffer = new byte[reader.ValueSpan.Length];
        var length = reader.CopyString(buffer);
        return length == buffer.Length ? buffer : buffer.AsSpan(0, length).ToArray();
    }

    /// <summary>Describes the current token for an error message, quoting at most a short prefix of it.</summary>
    public static string Describe(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => $"the string \"{Text(ref reader)}\"",
        JsonTokenType.Number => $"the number {Text(ref reader)}",
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        JsonTokenType.Null => "null",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "a list",
        _ => reader.TokenType.ToString(),
    };

    /// <summary>The current token's raw text (escapes left as written), shortened for an error message.</summary>
    public static string Text(ref Utf8JsonReader reader)
    {
        var raw = reader.ValueSpan;
        return raw.Length <= MaxQuotedBytes
            ? Encoding.UTF8.GetString(raw)
            : Encoding.UTF8.GetString(raw[..MaxQuotedBytes]) + "...";
    }
}
