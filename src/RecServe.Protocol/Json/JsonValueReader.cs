using System.Text.Json;

namespace RecServe.Protocol.Json;

/// <summary>
/// Reads one value of an input (a scalar, a b64 object, or nested lists of them) straight into its
/// <see cref="InputAccumulator"/>, tracking its shape and refusing ragged nesting.
/// </summary>
internal static class JsonValueReader
{
    /// <summary>
    /// Reads the value starting at the reader's current token and leaves the reader on the value's last token;
    /// <see cref="ParseContext.Shape"/> then holds the value's shape.
    /// </summary>
    public static void Read(ref Utf8JsonReader reader, InputAccumulator input, ParseContext context)
    {
        if (reader.TokenType == JsonTokenType.StartArray && context.ScanNumberLists && JsonNumberArrayReader.CanRead(input.DataType)
            && JsonNumberArrayReader.TryRead(ref reader, input, context))
        {
            return;
        }
        var shape = context.Shape;
        shape.Reset();
        while (true)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartArray:
                    if (!shape.TryOpenList())
                    {
                        throw context.Fail(input, $"ragged nested list: found a list nested {shape.Level} deep where other elements at that depth are values");
                    }
                    break;
                case JsonTokenType.EndArray:
                    if (!shape.TryCloseList(out var expected, out var actual))
                    {
                        throw context.Fail(input, $"ragged nested list: a list in dimension {shape.Level} has {actual} elements but an earlier one has {expected}");
                    }
                    break;
                default:
                    if (!shape.TryAddValue())
                    {
                        throw context.Fail(input, $"ragged nested list: found a value nested {shape.Level} deep where other values are nested {shape.Rank} deep");
                    }
                    JsonScalarDecoder.Append(ref reader, input, context);
                    break;
            }
            if (shape.Level == 0)
            {
                return;
            }
            JsonTokens.Next(ref reader, context.MaxDepth);
        }
    }
}
