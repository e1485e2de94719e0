using System.Text.Json;
using RecServe.Core.Tensors;

namespace RecServe.Protocol.Json;

/// <summary>
/// Reads a list of numbers (nested lists of them too) straight from the request bytes into an input, without
/// going through <see cref="Utf8JsonReader"/> token by token: most of a REST request is such lists, and the reader's
/// per-token work and number conversion were most of the time spent on it.
/// </summary>
/// <remarks>
/// Only lists that <see cref="JsonValueReader"/> would accept are read here, to the same values and shape, with the
/// same <see cref="NestedListShape"/> and <see cref="JsonScalarDecoder"/> conversions. At anything else (a string,
/// a non-finite or lossy number, ragged nesting, a syntax error, nesting near the depth limit) it gives up, undoes
/// what it appended, and leaves the reader where it was, so that the token-by-token path reads the list again and
/// reports the problem in its own words.
/// </remarks>
internal static class JsonNumberArrayReader
{
    /// <summary>Whether lists of <paramref name="type"/> can be read here; others go token by token.</summary>
    public static bool CanRead(TensorDataType type)
        => type is TensorDataType.Float32 or TensorDataType.Float64 or TensorDataType.Int32 or TensorDataType.Int64;

    /// <summary>
    /// With the (span-based) reader on a list's opening bracket, reads the list into <paramref name="input"/> and
    /// leaves the reader on its closing bracket, with <see cref="ParseContext.Shape"/> holding its shape; false,
    /// with the reader and <paramref name="input"/> as they were, where the list must be read token by token.
    /// </summary>
    public static bool TryRead(ref Utf8JsonReader reader, InputAccumulator input, ParseContext context)
    {
        var mark = input.ByteCount;
        // Lists nested this many levels inside this one reach the depth limit, which the token path reports.
        var levelLimit = context.MaxDepth - reader.CurrentDepth;
        if (TryScan(Utf8JsonReaderJump.Buffer(ref reader), Utf8JsonReaderJump.Position(ref reader), levelLimit, input, context.Shape, out var close))
        {
            Utf8JsonReaderJump.MoveTo(ref reader, close);
            // The closing bracket itself goes through the reader, which closes the list in its own bookkeeping.
            reader.Read();
            return true;
        }
        input.TruncateTo(mark);
        return false;
    }

    // From just after the opening bracket at position - 1; close is the index of the matching closing bracket.
    private static bool TryScan(ReadOnlySpan<byte> buffer, int position, int levelLimit, InputAccumulator input, NestedListShape shape, out int close)
    {
        close = 0;
        shape.Reset();
        shape.TryOpenList();
        var type = input.DataType;
        // Just after an opening bracket, where a closing one makes an empty list (after a comma it is a syntax error).
        var listJustOpened = true;
        while (true)
        {
            position = SkipWhitespace(buffer, position);
            if (position >= buffer.Length)
            {
                return false;
            }
            var next = buffer[position];
            if (next == (byte)'[')
            {
                if (shape.Level >= levelLimit || !shape.TryOpenList())
                {
                    return false;
                }
                position++;
                listJustOpened = true;
                continue;
            }
            if (next != (byte)']' || !listJustOpened)
            {
                // The shape first, then the value, in the token path's order.
                var length = shape.TryAddValue() ? ReadNumber(buffer[position..], type, input) : 0;
                if (length == 0)
                {
                    return false;
                }
                position = SkipWhitespace(buffer, position + length);
                if (position >= buffer.Length)
                {
                    return false;
                }
                next = buffer[position];
            }
            while (next == (byte)']')
            {
                if (!shape.TryCloseList(out _, out _))
                {
                    return false;
                }
                if (shape.Level == 0)
                {
                    close = position;
                    return true;
                }
                position = SkipWhitespace(buffer, position + 1);
                if (position >= buffer.Length)
                {
                    return false;
                }
                next = buffer[position];
            }
            if (next != (byte)',')
            {
                return false;
            }
            position++;
            listJustOpened = false;
        }
    }

    // Converts the number at the start of text and appends it; returns its length, or 0 to give up.
    private static int ReadNumber(ReadOnlySpan<byte> text, TensorDataType type, InputAccumulator input)
    {
        var length = Utf8NumberParser.Scan(text, out var number);
        if (length == 0)
        {
            return 0;
        }
        var token = text[..length];
        switch (type)
        {
            case TensorDataType.Float32:
                if (!JsonScalarDecoder.TryConvertFloat32(number, token, out var single))
                {
                    return 0;
                }
                input.Append(single);
                break;
            case TensorDataType.Float64:
                if (!JsonScalarDecoder.TryConvertFloat64(number, token, out var wide))
                {
                    return 0;
                }
                input.Append(wide);
                break;
            case TensorDataType.Int32:
                if (!JsonScalarDecoder.TryConvertInteger(number, int.MinValue, int.MaxValue, out var small))
                {
                    return 0;
                }
                input.Append((int)small);
                break;
            default:
                if (!JsonScalarDecoder.TryConvertInteger(number, long.MinValue, long.MaxValue, out var whole))
                {
                    return 0;
                }
                input.Append(whole);
                break;
        }
        return length;
    }

    // JSON's four whitespace bytes, as Utf8JsonReader skips them.
    private static int SkipWhitespace(ReadOnlySpan<byte> buffer, int position)
    {
        while (position < buffer.Length && buffer[position] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
        {
            position++;
        }
        return position;
    }
}
