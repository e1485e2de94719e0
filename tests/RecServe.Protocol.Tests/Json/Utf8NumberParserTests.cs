using System.Globalization;
using System.Text;
using RecServe.Protocol.Json;

namespace RecServe.Protocol.Tests.Json;

/// <summary>
/// <see cref="Utf8NumberParser"/> against the BCL's own parsers (invariant culture): bit for bit on a million random
/// floats and doubles in each of the usual formats, on random decimal strings of up to 25 digits, and on the inputs
/// where a fast path usually goes wrong (float midpoints, subnormals, the edges of the range).
/// </summary>
public sealed class Utf8NumberParserTests
{
    private const int RandomCount = 1_000_000;

    public static TheoryData<string> Formats => new() { "R", "G9", "G17", "E" };

    [Theory]
    [MemberData(nameof(Formats))]
    public void RandomFloatsParseAsFloatParseDoes(string format)
    {
        var random = new Random(format.GetHashCode(StringComparison.Ordinal) ^ 17);
        for (var i = 0; i < RandomCount; i++)
        {
            // Random bit patterns cover every exponent, subnormals included; half the draws stay near 1 where most data is.
            var value = i % 2 == 0 ? BitConverter.Int32BitsToSingle(random.Next() | (random.Next(2) << 31)) : (float)(random.NextDouble() * 2 - 1);
            if (!float.IsFinite(value))
            {
                continue;
            }
            AssertSingleAsBcl(value.ToString(format, CultureInfo.InvariantCulture));
        }
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void RandomDoublesParseAsDoubleParseDoes(string format)
    {
        var random = new Random(format.GetHashCode(StringComparison.Ordinal) ^ 29);
        for (var i = 0; i < RandomCount; i++)
        {
            var value = i % 2 == 0 ? BitConverter.Int64BitsToDouble(random.NextInt64() | ((long)random.Next(2) << 63)) : random.NextDouble() * 2 - 1;
            if (!double.IsFinite(value))
            {
                continue;
            }
            var text = value.ToString(format, CultureInfo.InvariantCulture);
            AssertDoubleAsBcl(text);
            AssertSingleAsBcl(text);
        }
    }

    [Fact]
    public void RandomDecimalStringsParseAsTheBclDoes()
    {
        var random = new Random(5);
        for (var i = 0; i < RandomCount; i++)
        {
            var text = RandomDecimal(random);
            AssertSingleAsBcl(text);
            AssertDoubleAsBcl(text);
        }
    }

    [Fact]
    public void DecimalsNearFloatMidpointsParseAsFloatParseDoes()
    {
        // The shortest decimals of doubles halfway between two floats: those with few digits are within the fast
        // path, and their double is the midpoint itself, so only the midpoint check keeps them correctly rounded.
        var random = new Random(3);
        for (var i = 0; i < RandomCount; i++)
        {
            var below = (float)Math.ScaleB(1 + random.NextDouble(), random.Next(-70, 70));
            var midpoint = ((double)below + MathF.BitIncrement(below)) / 2;
            AssertSingleAsBcl(midpoint.ToString(i % 3 == 0 ? "R" : i % 3 == 1 ? "G15" : "G16", CultureInfo.InvariantCulture));
        }
    }

    [Theory]
    // Decimals of 15 digits whose nearest double is a float midpoint, but which are not midpoints themselves:
    // within the fast path (the first four) and beyond its exponent bound.
    [InlineData("9.07048836040758E-08")]
    [InlineData("9.04636095810929E-07")]
    [InlineData("0.00884599843993783")]
    [InlineData("8.15355634689331")]
    [InlineData("6.85417515930084E-13")]
    [InlineData("4.05799148996903E-15")]
    // Halfway between floats: 2^24 + 1, and 1 + 2^-24 written out; and just either side of such midpoints.
    [InlineData("16777217")]
    [InlineData("16777217.0")]
    [InlineData("16777217.000000001")]
    [InlineData("16777216.999999999")]
    [InlineData("1.000000059604644775390625")]
    [InlineData("1.00000005960464477539062500001")]
    [InlineData("1.0000000596046447753906249999")]
    [InlineData("33554435")]
    [InlineData("0.500000029802322387695312")]
    // Doubles rounding onto a float midpoint (the double-rounding case the fast path refuses).
    [InlineData("1.00000005960464478")]
    [InlineData("9007199254740993")]
    [InlineData("9007199254740993.0")]
    [InlineData("9007199254740992")]
    [InlineData("9007199254740995")]
    [InlineData("0.1")]
    [InlineData("-0.1")]
    [InlineData("0.2")]
    [InlineData("0.3")]
    [InlineData("-0")]
    [InlineData("-0.0")]
    [InlineData("0")]
    [InlineData("0.0")]
    [InlineData("0e5")]
    [InlineData("-0e-5")]
    [InlineData("0e99999999999")]
    // Float's range: its largest value, just past it (still rounds down), past the rounding edge (infinite).
    [InlineData("3.4028235e38")]
    [InlineData("3.40282356e38")]
    [InlineData("3.4028235677973366e38")]
    [InlineData("3.4028236e38")]
    [InlineData("-3.4028236e38")]
    [InlineData("1e39")]
    [InlineData("1e308")]
    [InlineData("1.7976931348623157e308")]
    [InlineData("1.7976931348623159e308")]
    [InlineData("1e309")]
    [InlineData("1e99999")]
    [InlineData("-1e99999999999999")]
    // Subnormals and underflow.
    [InlineData("1e-45")]
    [InlineData("1.4e-45")]
    [InlineData("7e-46")]
    [InlineData("7.1e-46")]
    [InlineData("1e-46")]
    [InlineData("1.17549435e-38")]
    [InlineData("1.1754942e-38")]
    [InlineData("4.9e-324")]
    [InlineData("2.4703282292062327e-324")]
    [InlineData("2.4703282292062328e-324")]
    [InlineData("1e-400")]
    [InlineData("1e-99999999999")]
    // Clinger's bounds: 10^22 is exact, 10^23 is not; 2^53 digits and one past.
    [InlineData("1e22")]
    [InlineData("1e23")]
    [InlineData("9007199254740991e22")]
    [InlineData("9007199254740992e-22")]
    [InlineData("9007199254740993e-22")]
    [InlineData("1e-22")]
    [InlineData("1e-23")]
    [InlineData("123456789012345678901234567890")]
    [InlineData("0.000000000000000000000000000001")]
    [InlineData("1E5")]
    [InlineData("1E-5")]
    [InlineData("1.5e+3")]
    [InlineData("1.5E+03")]
    [InlineData("2.2250738585072011e-308")]
    [InlineData("2.2250738585072012e-308")]
    public void HardCasesParseAsTheBclDoes(string text)
    {
        AssertSingleAsBcl(text);
        AssertDoubleAsBcl(text);
    }

    [Theory]
    [InlineData("9223372036854775807", long.MaxValue)]
    [InlineData("-9223372036854775808", long.MinValue)]
    [InlineData("0", 0L)]
    [InlineData("-0", 0L)]
    [InlineData("-1", -1L)]
    [InlineData("1000000000000000000", 1_000_000_000_000_000_000L)]
    public void Int64ReadsEveryValueInRange(string text, long expected)
    {
        Assert.True(Utf8NumberParser.TryParseInt64(Encoding.ASCII.GetBytes(text), out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("9223372036854775808")]
    [InlineData("-9223372036854775809")]
    [InlineData("18446744073709551615")]
    [InlineData("18446744073709551616")]
    [InlineData("99999999999999999999")]
    [InlineData("123456789012345678901234567890")]
    [InlineData("1.0")]
    [InlineData("1e3")]
    public void Int64RefusesOverflowAndNonIntegers(string text)
    {
        Assert.False(Utf8NumberParser.TryParseInt64(Encoding.ASCII.GetBytes(text), out _));
    }

    [Fact]
    public void RandomInt64sParseAsLongParseDoes()
    {
        var random = new Random(11);
        for (var i = 0; i < RandomCount; i++)
        {
            var value = random.NextInt64(long.MinValue, long.MaxValue) >> random.Next(64);
            var text = value.ToString(CultureInfo.InvariantCulture);
            Assert.True(Utf8NumberParser.TryParseInt64(Encoding.ASCII.GetBytes(text), out var parsed), text);
            Assert.Equal(long.Parse(text, CultureInfo.InvariantCulture), parsed);
        }
    }

    [Theory]
    [InlineData("+1")]
    [InlineData("01")]
    [InlineData("-01")]
    [InlineData("00")]
    [InlineData(".5")]
    [InlineData("-.5")]
    [InlineData("5.")]
    [InlineData("5.e3")]
    [InlineData("1e")]
    [InlineData("1e+")]
    [InlineData("1E-")]
    [InlineData("-")]
    [InlineData("")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    [InlineData("1.5x")]
    [InlineData("0x10")]
    [InlineData("1 ")]
    [InlineData(" 1")]
    public void NonJsonNumbersAreRefused(string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        Assert.False(Utf8NumberParser.TryParseSingle(bytes, out _));
        Assert.False(Utf8NumberParser.TryParseDouble(bytes, out _));
        Assert.False(Utf8NumberParser.TryParseInt64(bytes, out _));
    }

    [Theory]
    [InlineData("12,", 2, true)]
    [InlineData("-3.5e2]", 6, false)]
    [InlineData("0]", 1, true)]
    [InlineData("01", 1, true)]
    [InlineData("1.5.5", 3, false)]
    public void ScanStopsAtTheFirstByteThatCannotContinueTheNumber(string text, int length, bool whole)
    {
        Assert.Equal(length, Utf8NumberParser.Scan(Encoding.ASCII.GetBytes(text), out var number));
        Assert.Equal(whole, number.IsWhole);
    }

    private static void AssertSingleAsBcl(string text)
    {
        var expected = float.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        Assert.True(Utf8NumberParser.TryParseSingle(Encoding.ASCII.GetBytes(text), out var actual), text);
        if (BitConverter.SingleToInt32Bits(expected) != BitConverter.SingleToInt32Bits(actual))
        {
            Assert.Fail($"{text}: float.Parse gives {expected:R}, the parser {actual:R}");
        }
    }

    private static void AssertDoubleAsBcl(string text)
    {
        var expected = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        Assert.True(Utf8NumberParser.TryParseDouble(Encoding.ASCII.GetBytes(text), out var actual), text);
        if (BitConverter.DoubleToInt64Bits(expected) != BitConverter.DoubleToInt64Bits(actual))
        {
            Assert.Fail($"{text}: double.Parse gives {expected:R}, the parser {actual:R}");
        }
    }

    // A JSON number with 1 to 25 digits, a decimal point anywhere in them (or none) and a random exponent (or none).
    private static string RandomDecimal(Random random)
    {
        var text = new StringBuilder();
        if (random.Next(2) == 0)
        {
            text.Append('-');
        }
        var digits = random.Next(1, 26);
        var point = random.Next(3) == 0 ? -1 : random.Next(1, digits + 1);
        var integerDigits = point < 0 ? digits : point;
        // JSON allows no leading zero unless the integer part is just 0.
        if (integerDigits > 1 || random.Next(4) != 0)
        {
            text.Append((char)('1' + random.Next(9)));
        }
        else
        {
            text.Append('0');
        }
        for (var i = 1; i < integerDigits; i++)
        {
            text.Append((char)('0' + random.Next(10)));
        }
        if (point >= 0 && point < digits)
        {
            text.Append('.');
            for (var i = point; i < digits; i++)
            {
                text.Append((char)('0' + random.Next(10)));
            }
        }
        if (random.Next(2) == 0)
        {
            text.Append(random.Next(2) == 0 ? 'e' : 'E');
            var sign = random.Next(3);
            text.Append(sign == 0 ? "" : sign == 1 ? "+" : "-");
            // Mostly exponents near the fast path's bound of 22, sometimes across the whole double range.
            text.Append(random.Next(4) == 0 ? random.Next(330) : random.Next(40));
        }
        return text.ToString();
    }
}
