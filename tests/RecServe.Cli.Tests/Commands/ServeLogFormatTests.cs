using RecServe.Cli.Commands;
using RecServe.Server.Hosting;

namespace RecServe.Cli.Tests.Commands;

/// <summary><c>--log_format auto</c>: JSON when stdout is redirected, text on a terminal; explicit choices win.</summary>
public sealed class ServeLogFormatTests
{
    [Theory]
    [InlineData("auto", true, LogFormat.Json)]
    [InlineData("auto", false, LogFormat.Text)]
    [InlineData("json", false, LogFormat.Json)]
    [InlineData("text", true, LogFormat.Text)]
    public void ResolvesTheFormat(string value, bool redirected, LogFormat expected) =>
        Assert.Equal(expected, ServeLogFormat.Resolve(value, redirected));

    [Fact]
    public void AnUnknownFormatIsRefusedByTheParser()
    {
        var parsed = RecServeCli.CreateRoot().Parse(["serve", "--log_format", "yaml"]);

        Assert.Contains(parsed.Errors, e => e.Message.Contains("yaml", StringComparison.Ordinal));
    }
}
