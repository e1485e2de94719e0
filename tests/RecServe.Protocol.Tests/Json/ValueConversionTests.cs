using System.Text;
using RecServe.Core.Tensors;
using static RecServe.Protocol.Tests.Json.JsonTestSupport;

namespace RecServe.Protocol.Tests.Json;

/// <summary>How JSON scalars become elements of each type, and which ones are refused.</summary>
public sealed class ValueConversionTests
{
    private static T[] ReadValues<T>(TensorDataType type, string list) where T : unmanaged
    {
        using var request = Read($$"""{"inputs": {{list}}}""", Single(type));
        return Values<T>(request.Inputs["x"]);
    }

    private static string ErrorFor(TensorDataType type, string list) => ReadError($$"""{"inputs": {{list}}}""", Single(type)).Message;

    [Fact]
    public void Float32AcceptsDecimalsWholeNumbersAndExponents()
    {
        Assert.Equal([1.5f, -2f, 0.1f, 300f, 16777216f, 1e-3f], ReadValues<float>(TensorDataType.Float32, "[1.5, -2, 0.1, 3e2, 16777216, 1E-3]"));
    }

    [Fact]
    public void Float64KeepsDoublePrecision()
    {
        Assert.Equal([0.1, 1e300, -5d, 9007199254740992d], ReadValues<double>(TensorDataType.Float64, "[0.1, 1e300, -5, 9007199254740992]"));
    }

    [Fact]
    public void Float16RoundsToNearestHalf()
    {
        Assert.Equal([(Half)0.5f, (Half)65504f, (Half)(-2f), (Half)0.1f], ReadValues<Half>(TensorDataType.Float16, "[0.5, 65504, -2, 0.1]"));
    }

    [Theory]
    [InlineData(TensorDataType.Float32)]
    [InlineData(TensorDataType.Float64)]
    [InlineData(TensorDataType.Float16)]
    public void FloatTypesAcceptNonFiniteValuesAsStrings(TensorDataType type)
    {
        using var request = Read("""{"inputs": ["NaN", "Infinity", "-Infinity"]}""", Single(type));
        var x = request.Inputs["x"];
        double[] values = type switch
        {
            TensorDataType.Float32 => Array.ConvertAll(Values<float>(x), v => (double)v),
            TensorDataType.Float64 => Values<double>(x),
            _ => Array.ConvertAll(Values<Half>(x), v => (double)v),
        };

        Assert.True(double.IsNaN(values[0]));
        Assert.Equal(double.PositiveInfinity, values[1]);
        Assert.Equal(double.NegativeInfinity, values[2]);
    }

    [Fact]
    public void BareNaNTokenIsNotJson()
    {
        var error = ReadError("""{"inputs": [NaN]}""", Single(TensorDataType.Float32));

        Assert.Contains("not valid JSON", error.Message);
    }

    [Theory]
    [InlineData(TensorDataType.Float32, "\"nan\"")]
    [InlineData(TensorDataType.Float32, "\"1.5\"")]
    [InlineData(TensorDataType.Float64, "true")]
    [InlineData(TensorDataType.Float16, "null")]
    [InlineData(TensorDataType.Float32, "{\"b64\": \"AAAA\"}")]
    public void FloatTypesRejectNonNumbers(TensorDataType type, string value)
    {
        var error = ErrorFor(type, $"[{value}]");

        Assert.Contains($"'inputs', input 'x': {type.DisplayName()} values must be numbers", error);
    }

    [Theory]
    [InlineData(TensorDataType.Float32, "16777217")]
    [InlineData(TensorDataType.Float64, "9007199254740993")]
    [InlineData(TensorDataType.Float16, "2049")]
    public void FloatTypesRejectWholeNumbersTheyCannotHoldExactly(TensorDataType type, string value)
    {
        var error = ErrorFor(type, $"[{value}]");

        Assert.Contains($"the number {value} cannot be converted to {type.DisplayName()} without loss of precision", error);
    }

    [Theory]
    [InlineData(TensorDataType.Float32, "1e39")]
    [InlineData(TensorDataType.Float32, "-3.5e38")]
    [InlineData(TensorDataType.Float64, "1e400")]
    [InlineData(TensorDataType.Float16, "65520")]
    [InlineData(TensorDataType.Float16, "1e5")]
    public void FloatTypesRejectOutOfRangeNumbers(TensorDataType type, string value)
    {
        var error = ErrorFor(type, $"[{value}]");

        Assert.Contains("is out of range for " + type.DisplayName(), error);
    }

    [Fact]
    public void IntegerTypesTakeTheirFullRange()
    {
        Assert.Equal([-128, 0, 127], ReadValues<sbyte>(TensorDataType.Int8, "[-128, 0, 127]").Select(v => (int)v));
        Assert.Equal([(byte)0, (byte)255], ReadValues<byte>(TensorDataType.UInt8, "[0, 255]"));
        Assert.Equal([int.MinValue, 0, int.MaxValue], ReadValues<int>(TensorDataType.Int32, "[-2147483648, -0, 2147483647]"));
        Assert.Equal([long.MinValue, long.MaxValue], ReadValues<long>(TensorDataType.Int64, "[-9223372036854775808, 9223372036854775807]"));
    }

    [Theory]
    [InlineData(TensorDataType.Int8, "128")]
    [InlineData(TensorDataType.UInt8, "-1")]
    [InlineData(TensorDataType.Int32, "2147483648")]
    [InlineData(TensorDataType.Int64, "9223372036854775808")]
    public void IntegerTypesRejectOutOfRange(TensorDataType type, string value)
    {
        var error = ErrorFor(type, $"[{value}]");

        Assert.Contains($"the number {value} is out of range for {type.DisplayName()}", error);
    }

    [Theory]
    [InlineData(TensorDataType.Int32, "1.5")]
    [InlineData(TensorDataType.Int32, "1.0")]
    [InlineData(TensorDataType.Int64, "1e3")]
    public void IntegerTypesRejectFractionsAndExponents(TensorDataType type, string value)
    {
        var error = ErrorFor(type, $"[{value}]");

        Assert.Contains($"the number {value} is not a whole number", error);
    }

    [Theory]
    [InlineData(TensorDataType.Int32, "\"1\"", "the string \"1\"")]
    [InlineData(TensorDataType.Int64, "true", "true")]
    [InlineData(TensorDataType.Int8, "null", "null")]
    public void IntegerTypesRejectNonNumbers(TensorDataType type, string value, string described)
    {
        var error = ErrorFor(type, $"[{value}]");

        Assert.Contains($"{type.DisplayName()} values must be whole numbers, got {described}", error);
    }

    [Fact]
    public void BoolTakesTrueAndFalse()
    {
        Assert.Equal([(byte)1, (byte)0, (byte)1], ReadValues<byte>(TensorDataType.Bool, "[true, false, true]"));
    }

    [Theory]
    [InlineData("1")]
    [InlineData("\"true\"")]
    public void BoolRejectsEverythingElse(string value)
    {
        var error = ErrorFor(TensorDataType.Bool, $"[{value}]");

        Assert.Contains("bool values must be true or false", error);
    }

    [Fact]
    public void StringsAreUtf8WithEscapesResolved()
    {
        using var request = Read("""{"inputs": ["plain", "caf\u00e9", "tab\tquote\"", "é"]}""", Single(TensorDataType.String));

        Assert.Equal(["plain", "café", "tab\tquote\"", "é"], Texts(request.Inputs["x"]));
    }

    [Theory]
    [InlineData("AAEC/w==")]
    [InlineData("AAEC/w")]
    [InlineData("AAEC\\/w==")]
    public void Base64ObjectsDecodeToBytes(string encoded)
    {
        using var request = Read($$"""{"inputs": [{"b64": "{{encoded}}"}, {"b64": ""}]}""", Single(TensorDataType.String));

        Assert.Equal([0, 1, 2, 255], request.Inputs["x"].Strings[0]);
        Assert.Empty(request.Inputs["x"].Strings[1]);
    }

    [Theory]
    [InlineData("!!!!")]
    [InlineData("A")]
    [InlineData("AA==AA")]
    [InlineData("AA-_")]
    public void RejectsBadBase64(string encoded)
    {
        var error = ErrorFor(TensorDataType.String, $$"""[{"b64": "{{encoded}}"}]""");

        Assert.Contains("'inputs', input 'x': the \"b64\" value is not valid base64", error);
    }

    [Theory]
    [InlineData("{\"b64\": 5}")]
    [InlineData("{\"b64\": \"AA==\", \"more\": 1}")]
    [InlineData("{\"text\": \"hi\"}")]
    [InlineData("{}")]
    public void RejectsObjectsThatAreNotBase64Values(string value)
    {
        var error = ErrorFor(TensorDataType.String, $"[{value}]");

        Assert.Contains("must be {\"b64\": \"<base64>\"}", error);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("false")]
    [InlineData("null")]
    public void StringsRejectNonStrings(string value)
    {
        var error = ErrorFor(TensorDataType.String, $"[{value}]");

        Assert.Contains("string values must be strings or {\"b64\"", error);
    }

    [Fact]
    public void LongErrorValuesAreShortened()
    {
        var error = ErrorFor(TensorDataType.Int32, $"[\"{new string('a', 500)}\"]");

        Assert.Contains(new string('a', 64) + "...", error);
        Assert.True(error.Length < 300, error);
    }

    [Fact]
    public void ManyValuesGrowTheBufferWithoutLoss()
    {
        var json = new StringBuilder("[");
        for (var i = 0; i < 10_000; i++)
        {
            json.Append(i == 0 ? "" : ",").Append(i);
        }
        json.Append(']');

        var values = ReadValues<long>(TensorDataType.Int64, json.ToString());

        Assert.Equal(10_000, values.Length);
        Assert.Equal(Enumerable.Range(0, 10_000).Select(i => (long)i), values);
    }
}
