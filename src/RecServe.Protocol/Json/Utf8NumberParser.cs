using System.Buffers.Text;
using System.Runtime.CompilerServices;

namespace RecServe.Protocol.Json;

/// <summary>
/// Reads JSON numbers (RFC 8259's grammar, nothing more) from UTF-8 bytes into <see cref="long"/>, <see cref="float"/>
/// and <see cref="double"/>, with the same results as <see cref="Utf8Parser"/> (and <c>float.Parse</c> /
/// <c>double.Parse</c>): integers exactly, with overflow refused; floating point correctly rounded.
/// </summary>
/// <remarks>
/// Most numbers that clients send (ids; floats written in shortest round-trip form) have few digits and a small
/// exponent. Those are converted by Clinger's fast path: with a significand below 2^53 and a power of ten up to
/// 10^22 both are exact doubles, so one IEEE multiplication or division rounds the true value correctly. Anything
/// else goes to the BCL parser on the same bytes, which is exact but several times slower.
/// </remarks>
internal static class Utf8NumberParser
{
    // More digits than this may not fit a ulong; 19 always do (10^19 - 1 < 2^64).
    private const int MaxSignificantDigits = 19;

    // Exponents are clamped here while read, far past where any double is 0 or infinite, so they cannot overflow.
    private const int ExponentClamp = 100_000;

    // Doubles hold every integer up to 2^53 exactly.
    private const ulong MaxExactSignificand = 1UL << 53;

    // 10^0 to 10^22 are exactly representable as doubles (5^22 < 2^53); 10^23 is not.
    private const int MaxExactPowerOfTen = 22;

    // A double's low 29 mantissa bits are the ones a float drops; exactly half of their range there means the
    // double sits on the midpoint between two floats.
    private const ulong FloatDroppedBits = (1UL << 29) - 1;
    private const ulong FloatMidpointBits = 1UL << 28;

    private static ReadOnlySpan<double> PowersOfTen =>
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    /// <summary>
    /// Reads the JSON number at the start of <paramref name="text"/>; returns its length in bytes, or 0 when
    /// <paramref name="text"/> does not start with one. What follows the number is not looked at: a JSON number
    /// ends at the first byte that cannot continue it.
    /// </summary>
    public static int Scan(ReadOnlySpan<byte> text, out DecimalNumber number)
    {
        number = default;
        var i = 0;
        var negative = false;
        if (i < text.Length && text[i] == (byte)'-')
        {
            negative = true;
            i++;
        }
        if (i >= text.Length || !IsDigit(text[i]))
        {
            return 0;
        }

        ulong significand = 0;
        var digits = 0;
        var tooMany = false;
        var exponent = 0;
        // JSON forbids leading zeros: a 0 is the whole integer part.
        if (text[i] == (byte)'0')
        {
            i++;
        }
        else
        {
            for (; i < text.Length && IsDigit(text[i]); i++)
            {
                AddDigit(ref significand, ref digits, ref tooMany, text[i]);
            }
        }

        var isWhole = true;
        if (i < text.Length && text[i] == (byte)'.')
        {
            isWhole = false;
            var first = ++i;
            for (; i < text.Length && IsDigit(text[i]); i++)
            {
                AddDigit(ref significand, ref digits, ref tooMany, text[i]);
                exponent--;
            }
            if (i == first)
            {
                return 0;
            }
        }

        if (i < text.Length && (text[i] | 0x20) == (byte)'e')
        {
            isWhole = false;
            i++;
            var negativeExponent = false;
            if (i < text.Length && (text[i] == (byte)'-' || text[i] == (byte)'+'))
            {
                negativeExponent = text[i] == (byte)'-';
                i++;
            }
            var first = i;
            var written = 0;
            for (; i < text.Length && IsDigit(text[i]); i++)
            {
                written = Math.Min(written * 10 + (text[i] - '0'), ExponentClamp);
            }
            if (i == first)
            {
                return 0;
            }
            exponent += negativeExponent ? -written : written;
        }

        number = new DecimalNumber(significand, exponent, negative, isWhole, tooMany);
        return i;
    }

    /// <summary>
    /// The whole number <paramref name="number"/> as a long; false if it has a fraction or exponent, or does not
    /// fit.
    /// </summary>
    public static bool TryGetInt64(in DecimalNumber number, out long value)
    {
        value = 0;
        if (!number.IsWhole || number.TooManyDigits)
        {
            return false;
        }
        var magnitude = number.Significand;
        if (number.Negative)
        {
            // -2^63 fits although 2^63 does not.
            if (magnitude > (ulong)long.MaxValue + 1)
            {
                return false;
            }
            value = unchecked((long)(0 - magnitude));
            return true;
        }
        if (magnitude > long.MaxValue)
        {
            return false;
        }
        value = (long)magnitude;
        return true;
    }

    /// <summary>
    /// <paramref name="number"/> (scanned from <paramref name="token"/>, the number's exact bytes) rounded to the
    /// nearest double; infinite when beyond double's range, as <see cref="double.Parse(string)"/>. False only
    /// where the BCL parser refuses the token.
    /// </summary>
    public static bool TryGetDouble(in DecimalNumber number, ReadOnlySpan<byte> token, out double value)
        => TryFastDouble(number, out value) || TryParseDoubleSlowly(token, out value);

    /// <summary>
    /// <paramref name="number"/> (scanned from <paramref name="token"/>, the number's exact bytes) rounded to the
    /// nearest float; infinite when beyond float's range, as <see cref="float.Parse(string)"/>. False only where
    /// the BCL parser refuses the token.
    /// </summary>
    public static bool TryGetSingle(in DecimalNumber number, ReadOnlySpan<byte> token, out float value)
    {
        if (TryFastDouble(number, out var wide))
        {
            // The double is the true value correctly rounded, so rounding it again to float gives the correctly
            // rounded float, except where the first rounding landed exactly on a midpoint between two floats
            // (double rounding). The fast path never leaves float's normal range, so the midpoint test is the plain
            // one on the 29 dropped bits.
            if ((BitConverter.DoubleToUInt64Bits(wide) & FloatDroppedBits) != FloatMidpointBits)
            {
                value = (float)wide;
                return true;
            }
        }
        return TryParseSingleSlowly(token, out value);
    }

    /// <summary>Parses <paramref name="token"/>, which must be one whole JSON integer, into a long.</summary>
    public static bool TryParseInt64(ReadOnlySpan<byte> token, out long value)
    {
        value = 0;
        return Scan(token, out var number) == token.Length && token.Length > 0 && TryGetInt64(number, out value);
    }

    /// <summary>Parses <paramref name="token"/>, which must be one whole JSON number, into the nearest float.</summary>
    public static bool TryParseSingle(ReadOnlySpan<byte> token, out float value)
    {
        value = 0;
        return token.Length > 0 && Scan(token, out var number) == token.Length && TryGetSingle(number, token, out value);
    }

    /// <summary>Parses <paramref name="token"/>, which must be one whole JSON number, into the nearest double.</summary>
    public static bool TryParseDouble(ReadOnlySpan<byte> token, out double value)
    {
        value = 0;
        return token.Length > 0 && Scan(token, out var number) == token.Length && TryGetDouble(number, token, out value);
    }

    // Clinger's fast path: exact inputs, one correctly rounded operation.
    private static bool TryFastDouble(in DecimalNumber number, out double value)
    {
        value = 0;
        if (number.TooManyDigits)
        {
            return false;
        }
        var significand = number.Significand;
        var exponent = number.Exponent;
        if (significand == 0)
        {
            // Zero whatever the exponent, keeping the sign ("-0.0" is negative zero, as the BCL reads it).
            value = number.Negative ? -0.0 : 0.0;
            return true;
        }
        if (significand > MaxExactSignificand || exponent < -MaxExactPowerOfTen || exponent > MaxExactPowerOfTen)
        {
            return false;
        }
        double magnitude = significand;
        magnitude = exponent >= 0 ? magnitude * PowersOfTen[exponent] : magnitude / PowersOfTen[-exponent];
        value = number.Negative ? -magnitude : magnitude;
        return true;
    }

    // The BCL parser the JSON reader itself uses (Utf8JsonReader.TryGetDouble), on the same bytes.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool TryParseDoubleSlowly(ReadOnlySpan<byte> token, out double value)
        => Utf8Parser.TryParse(token, out value, out var consumed) && consumed == token.Length;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool TryParseSingleSlowly(ReadOnlySpan<byte> token, out float value)
        => Utf8Parser.TryParse(token, out value, out var consumed) && consumed == token.Length;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddDigit(ref ulong significand, ref int digits, ref bool tooMany, byte digit)
    {
        // Leading zeros (of a fraction, as in 0.001) carry no information beyond the exponent.
        if (significand == 0 && digit == (byte)'0')
        {
            return;
        }
        if (digits == MaxSignificantDigits)
        {
            tooMany = true;
            return;
        }
        significand = significand * 10 + (uint)(digit - '0');
        digits++;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsDigit(byte c) => (uint)(c - '0') <= 9;
}
