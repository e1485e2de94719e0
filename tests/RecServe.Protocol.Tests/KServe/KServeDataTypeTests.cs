using RecServe.Core.Tensors;
using RecServe.Protocol.KServe;
using static RecServe.Protocol.Tests.KServe.KServeTestSupport;

namespace RecServe.Protocol.Tests.KServe;

public sealed class KServeDataTypeTests
{
    public static readonly TheoryData<string, TensorDataType> Names = new()
    {
        { "FP32", TensorDataType.Float32 },
        { "FP64", TensorDataType.Float64 },
        { "FP16", TensorDataType.Float16 },
        { "INT8", TensorDataType.Int8 },
        { "UINT8", TensorDataType.UInt8 },
        { "INT32", TensorDataType.Int32 },
        { "INT64", TensorDataType.Int64 },
        { "BOOL", TensorDataType.Bool },
        { "BYTES", TensorDataType.String },
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void NamesMapBothWays(string name, TensorDataType type)
    {
        Assert.Equal(type, KServeDataType.Parse(name, "x"));
        Assert.Equal(name, KServeDataType.Name(type));
    }

    [Fact]
    public void ProtocolTypesRecServeDoesNotServeAreRefusedByName()
    {
        var message = InvalidArgument(() => KServeDataType.Parse("UINT64", "ids"));
        Assert.Contains("'ids'", message);
        Assert.Contains("UINT64", message);
        Assert.Contains("does not serve", message);
    }

    [Theory]
    [InlineData("fp32")]
    [InlineData("FLOAT")]
    public void NamesAreCaseSensitiveAndExact(string name)
    {
        Assert.Contains("not a KServe v2 datatype", InvalidArgument(() => KServeDataType.Parse(name, "x")));
    }

    [Fact]
    public void MissingDatatypeIsNamed()
    {
        Assert.Contains("input 'x' has no datatype", InvalidArgument(() => KServeDataType.Parse("", "x")));
    }

    [Theory]
    [InlineData("", null)]
    [InlineData(null, null)]
    [InlineData("7", 7L)]
    public void VersionsParse(string? text, long? expected) => Assert.Equal(expected, KServeVersion.Parse(text));

    [Theory]
    [InlineData("latest")]
    [InlineData("-1")]
    [InlineData("1.5")]
    public void NonNumericVersionsAreInvalid(string text)
    {
        Assert.Contains($"'{text}' is not a version number", InvalidArgument(() => KServeVersion.Parse(text)));
    }
}
