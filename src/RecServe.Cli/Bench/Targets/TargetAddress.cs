namespace RecServe.Cli.Bench.Targets;

/// <summary>Reads <c>--target</c>: <c>host:port</c>, a bare host, or a full <c>http(s)://</c> URL.</summary>
internal static class TargetAddress
{
    /// <summary>The base URI for <paramref name="text"/>; a bare host gets <paramref name="defaultPort"/>.</summary>
    public static Uri Parse(string? text, int defaultPort)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return new Uri($"http://127.0.0.1:{defaultPort}");
        }
        var hasScheme = text.Contains("://", StringComparison.Ordinal);
        if (!Uri.TryCreate(hasScheme ? text : "http://" + text, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"--target '{text}' is not host:port or an http(s) URL");
        }
        // Without a scheme, "host" means the API's usual port, not HTTP's 80 (unless ":80" was written).
        if (!hasScheme && uri.IsDefaultPort && !text.EndsWith(":80", StringComparison.Ordinal))
        {
            return new UriBuilder(uri.Scheme, uri.Host, defaultPort).Uri;
        }
        return new UriBuilder(uri.Scheme, uri.Host, uri.Port).Uri;
    }
}
