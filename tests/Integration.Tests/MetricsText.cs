namespace Integration.Tests;

/// <summary>Reads series out of the Prometheus text the server exports.</summary>
internal static class MetricsText
{
    /// <summary>The value of <paramref name="series"/> (name and labels exactly as exported); fails the test when absent.</summary>
    public static double Value(string text, string series) =>
        Find(text, series) ?? throw new Xunit.Sdk.XunitException($"{series} is not exported:\n{text}");

    /// <summary>The value of <paramref name="series"/>, or null when it is not exported.</summary>
    public static double? Find(string text, string series)
    {
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        return line is null ? null : double.Parse(line[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Scrapes <c>/metrics</c> and reads <paramref name="series"/>, or null when it is not exported yet.</summary>
    public static async Task<double?> ScrapeAsync(ServerProcess server, string series) =>
        Find(await server.Http.GetStringAsync("/metrics"), series);
}
