using RecServe.Cli.Bench.Targets;

namespace RecServe.Cli.Tests.Bench.Targets;

public sealed class TargetAddressTests
{
    [Theory]
    [InlineData(null, "http://127.0.0.1:8500/")]
    [InlineData("localhost:9000", "http://localhost:9000/")]
    [InlineData("10.0.0.2", "http://10.0.0.2:8500/")]
    [InlineData("example.com:80", "http://example.com/")]
    [InlineData("https://example.com:8443", "https://example.com:8443/")]
    [InlineData("http://example.com", "http://example.com/")]
    [InlineData("[::1]:8501", "http://[::1]:8501/")]
    public void ReadsHostPortAndUrls(string? text, string expected) =>
        Assert.Equal(expected, TargetAddress.Parse(text, 8500).ToString());

    [Theory]
    [InlineData("ftp://example.com")]
    [InlineData("host:notaport")]
    public void RejectsWhatIsNotAnHttpAddress(string text) =>
        Assert.Throws<ArgumentException>(() => TargetAddress.Parse(text, 8500));
}
