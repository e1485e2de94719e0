using System.Globalization;
using System.Text.Json;

namespace RecServe.Protocol.Json;

/// <summary>
/// Writes floating-point values the way TF-Serving does: the shortest text that reads back to the same value,
/// with ".0" on whole numbers so clients infer a float type, and bare <c>NaN</c>, <c>Infinity</c> and
/// <c>-Infinity</c> tokens for non-finite values (not standard JSON, but what TF-Serving clients expect).
/// </summary>
internal static class JsonFloatWriter
{
    // Enough for the longest round-trip form of a double, e.g. "-2.2250738585072014E-308", plus ".0".
    private const int MaxLength = 32;

    /// <summary>Writes a float32 value.</summary>
    public static void Write(Utf8JsonWriter writer, float value)
    {
        if (!float.IsFinite(value))
        {
            WriteNonFinite(writer, float.IsNaN(value), value < 0);
            return;
        }
        Span<byte> text = stackalloc byte[MaxLength];
        value.TryFormat(text, out var length, default, CultureInfo.InvariantCulture);
        WriteDecimal(writer, text, length);
    }

    /// <summary>Writes a float64 value.</summary>
    public static void Write(Utf8JsonWriter writer, double value)
    {
        if (!double.IsFinite(value))
        {
            WriteNonFinite(writer, double.IsNaN(value), value < 0);
            return;
        }
        Span<byte> text = stackalloc byte[MaxLength];
        value.TryFormat(text, out var length, default, CultureInfo.InvariantCulture);
        WriteDecimal(writer, text, length);
    }

    private static void WriteDecimal(Utf8JsonWriter writer, Span<byte> text, int length)
    {
        if (text[..length].IndexOfAny(".E"u8) < 0)
        {
            ".0"u8.CopyTo(text[length..]);
            length += 2;
        }
        writer.WriteRawValue(text[..length], skipInputValidation: true);
    }

    private static void WriteNonFinite(Utf8JsonWriter writer, bool isNaN, bool isNegative)
    {
        var token = isNaN ? "NaN"u8 : isNegative ? "-Infinity"u8 : "Infinity"u8;
        writer.WriteRawValue(token, skipInputValidation: true);
    }
}
