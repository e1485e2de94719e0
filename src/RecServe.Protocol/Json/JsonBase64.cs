using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;

namespace RecServe.Protocol.Json;

/// <summary>Reads TF-Serving's <c>{"b64": "&lt;base64&gt;"}</c> bytes values.</summary>
internal static class JsonBase64
{
    /// <summary>
    /// Reads the object the reader is on and returns the decoded bytes, leaving the reader on its closing brace.
    /// Padding may be left off, as TF-Serving's decoder allows.
    /// </summary>
    public static byte[] ReadObject(ref Utf8JsonReader reader, InputAccumulator input, ParseContext context)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.PropertyName || !reader.ValueTextEquals("b64"u8)
            || !reader.Read() || reader.TokenType != JsonTokenType.String)
        {
            throw NotBase64Object(input, context);
        }
        var decoded = Decode(JsonTokens.CopyUnescaped(ref reader), input, context);
        if (!reader.Read() || reader.TokenType != JsonTokenType.EndObject)
        {
            throw NotBase64Object(input, context);
        }
        return decoded;
    }

    private static byte[] Decode(ReadOnlySpan<byte> text, InputAccumulator input, ParseContext context)
    {
        var remainder = text.Length % 4;
        var whole = text.Length - remainder;
        if (remainder == 1 || (remainder != 0 && text[..whole].Contains((byte)'=')))
        {
            throw InvalidBase64(input, context);
        }
        var padding = remainder == 0 && whole > 0 ? (text[whole - 1] == '=' ? 1 : 0) + (text[whole - 2] == '=' ? 1 : 0) : 0;
        var result = new byte[whole / 4 * 3 - padding + Math.Max(remainder - 1, 0)];

        var status = Base64.DecodeFromUtf8(text[..whole], result, out var consumed, out var written);
        if (status != OperationStatus.Done || consumed != whole)
        {
            throw InvalidBase64(input, context);
        }
        if (remainder != 0)
        {
            Span<byte> block = stackalloc byte[4];
            block.Fill((byte)'=');
            text[whole..].CopyTo(block);
            status = Base64.DecodeFromUtf8(block, result.AsSpan(written), out _, out var tail);
            if (status != OperationStatus.Done)
            {
                throw InvalidBase64(input, context);
            }
            written += tail;
        }
        if (written != result.Length)
        {
            throw InvalidBase64(input, context);
        }
        return result;
    }

    private static Exception NotBase64Object(InputAccumulator input, ParseContext context)
        => context.Fail(input, "an object given as a string value must be {\"b64\": \"<base64>\"}, with that one key and a string");

    private static Exception InvalidBase64(InputAccumulator input, ParseContext context)
        => context.Fail(input, "the \"b64\" value is not valid base64");
}
