using System.Globalization;
using System.Text.Json;
using RecServe.Core.Tensors;

namespace RecServe.Protocol.Json;

/// <summary>
/// Converts one JSON scalar to the input's element type and appends it, with TF-Serving's strictness: numbers
/// for numeric types, whole numbers for integer types, true/false for bool, strings or b64 objects for strings.
/// </summary>
/// <remarks>
/// TF-Serving's parser accepts bare <c>NaN</c>, <c>Infinity</c> and <c>-Infinity</c> tokens; standard JSON and
/// <see cref="Utf8JsonReader"/> do not, so float inputs accept them as the strings "NaN", "Infinity" and
/// "-Infinity" instead. Like TF-Serving, a float input refuses a whole number it cannot hold exactly (its
/// "without loss of precision" error); decimals are rounded to the nearest representable value.
/// </remarks>
internal static class JsonScalarDecoder
{
    /// <summary>Appends the value the reader is on; for a b64 object, leaves the reader on its closing brace.</summary>
    public static void Append(ref Utf8JsonReader reader, InputAccumulator input, ParseContext context)
    {
        switch (input.DataType)
        {
            case TensorDataType.Float32:
                input.Append(ReadFloat32(ref reader, input, context));
                break;
            case TensorDataType.Float64:
                input.Append(ReadFloat64(ref reader, input, context));
                break;
            case TensorDataType.Float16:
                input.Append(ReadFloat16(ref reader, input, context));
                break;
            case TensorDataType.Int8:
                input.Append((sbyte)ReadInteger(ref reader, input, context, sbyte.MinValue, sbyte.MaxValue));
                break;
            case TensorDataType.UInt8:
                input.Append((byte)ReadInteger(ref reader, input, context, byte.MinValue, byte.MaxValue));
                break;
            case TensorDataType.Int32:
                input.Append((int)ReadInteger(ref reader, input, context, int.MinValue, int.MaxValue));
                break;
            case TensorDataType.Int64:
                input.Append(ReadInteger(ref reader, input, context, long.MinValue, long.MaxValue));
                break;
            case TensorDataType.Bool:
                input.Append(ReadBool(ref reader, input, context) ? (byte)1 : (byte)0);
                break;
            case TensorDataType.String:
                input.AppendString(ReadString(ref reader, input, context));
                break;
            default:
                throw context.Fail(input, $"type {input.DataType.DisplayName()} cannot be read from JSON");
        }
    }

    /// <summary>
    /// The float32 value of a JSON number under the rules above, when it has one; false where those rules
    /// refuse it, and also (rarely) where only <see cref="Utf8JsonReader"/>'s own conversion can decide.
    /// </summary>
    public static bool TryConvertFloat32(in DecimalNumber number, ReadOnlySpan<byte> token, out float value)
    {
        value = 0;
        // A whole number converts as an integer does, and must come out exact (the assignment rounds it).
        return number.IsWhole
            ? Utf8NumberParser.TryGetInt64(number, out var whole) && IsExact(value = whole, whole)
            : Utf8NumberParser.TryGetSingle(number, token, out value) && float.IsFinite(value);
    }

    /// <summary>As <see cref="TryConvertFloat32"/>, for float64.</summary>
    public static bool TryConvertFloat64(in DecimalNumber number, ReadOnlySpan<byte> token, out double value)
    {
        value = 0;
        return number.IsWhole
            ? Utf8NumberParser.TryGetInt64(number, out var whole) && IsExact(value = whole, whole)
            : Utf8NumberParser.TryGetDouble(number, token, out value) && double.IsFinite(value);
    }

    /// <summary>The value of a JSON number for an integer type of range [<paramref name="min"/>, <paramref name="max"/>], when it has one.</summary>
    public static bool TryConvertInteger(in DecimalNumber number, long min, long max, out long value)
        => Utf8NumberParser.TryGetInt64(number, out value) && value >= min && value <= max;

    private static float ReadFloat32(ref Utf8JsonReader reader, InputAccumulator input, ParseContext context)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            // The token is a valid JSON number (the reader checked), so the scan reads all of it.
            if (Utf8NumberParser.Scan(reader.ValueSpan, out var number) > 0
                && TryConvertFloat32(number, reader.ValueSpan, out var fast))
            {
                return fast;
            }
            if (IsWholeNumberToken(reader.ValueSpan) && reader.TryGetInt64(out var whole))
            {
                var value = (float)whole;
                return IsExact(value, whole) ? value : throw Lossy(ref reader, input, context);
            }
            // TryGetSingle rounds the decimal directly to float, so a float written by the response writer
            // reads back bit-for-bit.
            if (reader.TryGetSingle(out var parsed) && float.IsFinite(parsed))
            {
                return parsed;
            }
            throw OutOfRange(ref reader, input, context);
        }
        return (float)ReadNonFinite(ref reader, input, context);
    }

    private static double ReadFloat64(ref Utf8JsonReader reader, InputAccumulator input, ParseContext context)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            if (Utf8NumberParser.Scan(reader.ValueSpan, out var number) > 0
                && TryConvertFloat64(number, reader.ValueSpan, out var fast))
            {
                return fast;
            }
            if (IsWholeNumberToken(reader.ValueSpan) && reader.TryGetInt64(out var whole))
            {
                var value = (double)whole;
                return IsExact(value, whole) ? value : throw Lossy(ref reader, input, context);
            }
            if (reader.TryGetDouble(out var parsed) && double.IsFinite(parsed))
            {
                return parsed;
            }
            throw OutOfRange(ref reader, input, context);
        }
        return ReadNonFinite(ref reader, input, context);
    }

    private static Half ReadFloat16(ref Utf8JsonReader reader, InputAccumulator input, ParseContext context)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            if (IsWholeNumberToken(reader.ValueSpan) && reader.TryGetInt64(out var whole))
            {
                var value = (Half)whole;
                if (!Half.IsFinite(value))
                {
                    throw OutOfRange(ref reader, input, context);
                }
                return IsExact((double)value, whole) ? value : throw Lossy(ref reader, input, context);
            }
            if (Half.TryParse(reader.ValueSpan, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed)
                && Half.IsFinite(parsed))
            {
                return parsed;
            }
            throw OutOfRange(ref reader, input, context);
        }
        return (Half)ReadNonFinite(ref reader, input, context);
    }

    private static double ReadNonFinite(ref Utf8JsonReader reader, InputAccumulator input, ParseContext context)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            if (reader.ValueTextEquals("NaN"u8))
            {
                return double.NaN;
            }
            if (reader.ValueTextEquals("Infinity"u8))
            {
                return double.PositiveInfinity;
            }
            if (reader.ValueTextEquals("-Infinity"u8))
            {
                return double.NegativeInfinity;
            }
        }
        throw WrongType(ref reader, input, context, "numbers (or the strings \"NaN\", \"Infinity\", \"-Infinity\")");
    }

    private static long ReadInteger(ref Utf8JsonReader reader, InputAccumulator input, ParseContext context, long min, long max)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            throw WrongType(ref reader, input, context, "whole numbers");
        }
        if (Utf8NumberParser.Scan(reader.ValueSpan, out var number) > 0 && TryConvertInteger(number, min, max, out var fast))
        {
            return fast;
        }
        if (!IsWholeNumberToken(reader.ValueSpan))
        {
            throw context.Fail(input, $"{JsonTokens.Describe(ref reader)} is not a whole number; {input.DataType.DisplayName()} values must have no fraction or exponent");
        }
        if (!reader.TryGetInt64(out var value) || value < min || value > max)
        {
            throw context.Fail(input, $"{JsonTokens.Describe(ref reader)} is out of range for {input.DataType.DisplayName()} ({min} to {max})");
        }
        return value;
    }

    private static bool ReadBool(ref Utf8JsonReader reader, InputAccumulator input, ParseContext context) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        _ => throw WrongType(ref reader, input, context, "true or false"),
    };

    private static byte[] ReadString(ref Utf8JsonReader reader, InputAccumulator input, ParseContext context) => reader.TokenType switch
    {
        JsonTokenType.String => JsonTokens.CopyUnescaped(ref reader),
        JsonTokenType.StartObject => JsonBase64.ReadObject(ref reader, input, context),
        _ => throw WrongType(ref reader, input, context, "strings or {\"b64\": \"<base64>\"} objects"),
    };

    // JSON has one number type; a token without fraction or exponent is what TF-Serving treats as an integer.
    private static bool IsWholeNumberToken(ReadOnlySpan<byte> token) => token.IndexOfAny(".eE"u8) < 0;

    // The range test keeps the cast to long defined; 2^63 itself is out of range for long.
    private static bool IsExact(double value, long whole)
        => value >= -9.2233720368547758E18 && value < 9.2233720368547758E18 && (long)value == whole;

    private static Exception WrongType(ref Utf8JsonReader reader, InputAccumulator input, ParseContext context, string expected)
        => context.Fail(input, $"{input.DataType.DisplayName()} values must be {expected}, got {JsonTokens.Describe(ref reader)}");

    private static Exception Lossy(ref Utf8JsonReader reader, InputAccumulator input, ParseContext context)
        => context.Fail(input, $"{JsonTokens.Describe(ref reader)} cannot be converted to {input.DataType.DisplayName()} without loss of precision");

    private static Exception OutOfRange(ref Utf8JsonReader reader, InputAccumulator input, ParseContext context)
        => context.Fail(input, $"{JsonTokens.Describe(ref reader)} is out of range for {input.DataType.DisplayName()}");
}
