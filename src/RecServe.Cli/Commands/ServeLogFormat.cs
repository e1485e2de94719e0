using RecServe.Server.Hosting;

namespace RecServe.Cli.Commands;

/// <summary>The values of <c>recserve serve --log_format</c> and how <c>auto</c> is decided.</summary>
internal static class ServeLogFormat
{
    public const string Auto = "auto";
    public const string Json = "json";
    public const string Text = "text";

    /// <summary>
    /// The format for <paramref name="value"/>; <c>auto</c> is JSON when stdout is redirected (a container, a log file,
    /// a test harness: something reads it as data) and text on a terminal (someone reads it).
    /// </summary>
    public static LogFormat Resolve(string value, bool outputRedirected) => value switch
    {
        Json => LogFormat.Json,
        Text => LogFormat.Text,
        Auto => outputRedirected ? LogFormat.Json : LogFormat.Text,
        _ => throw new ArgumentException($"--log_format is '{value}', expected auto, json or text"),
    };
}
