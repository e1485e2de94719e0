using System.Diagnostics;

namespace RecServe.Cli.Bench.Update;

/// <summary>The server's memory and CPU use at one point of the run's time axis.</summary>
/// <param name="Seconds">Seconds since the run's origin.</param>
/// <param name="RssMb">Resident memory in MB (10^6 bytes).</param>
/// <param name="CpuPercent">CPU used since the previous sample, in percent of one core (200 = two cores busy); 0 for the first.</param>
internal readonly record struct ServerUsagePoint(double Seconds, double RssMb, double CpuPercent)
{
    /// <summary>The points of <paramref name="samples"/> (oldest first) relative to <paramref name="origin"/>.</summary>
    public static List<ServerUsagePoint> From(IReadOnlyList<ProcessSample> samples, long origin)
    {
        var points = new List<ServerUsagePoint>(samples.Count);
        for (var i = 0; i < samples.Count; i++)
        {
            var sample = samples[i];
            var cpu = 0.0;
            if (i > 0 && sample.CpuSeconds >= 0 && samples[i - 1].CpuSeconds >= 0 && sample.Timestamp > samples[i - 1].Timestamp)
            {
                var wall = (sample.Timestamp - samples[i - 1].Timestamp) / (double)Stopwatch.Frequency;
                cpu = (sample.CpuSeconds - samples[i - 1].CpuSeconds) / wall * 100;
            }
            points.Add(new ServerUsagePoint((sample.Timestamp - origin) / (double)Stopwatch.Frequency, sample.RssBytes / 1e6, cpu));
        }
        return points;
    }
}
