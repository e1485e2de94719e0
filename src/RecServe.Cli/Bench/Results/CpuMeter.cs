using System.Diagnostics;
using System.Globalization;
using RecServe.Cli.Bench.Load;
using RecServe.Cli.Bench.Update;

namespace RecServe.Cli.Bench.Results;

/// <summary>
/// The CPU time one process spends during the measured window: the server's (<c>--server-pid</c>, read from
/// <c>/proc/PID/stat</c>) or, in process, this process's own. CPU per request is the figure that survives a shared,
/// noisy machine: other work slows a run's throughput but hardly changes what each request costs, so the ratio of
/// the in-process and server costs is the honest comparison there (Linux; null elsewhere or when unreadable).
/// </summary>
internal sealed class CpuMeter
{
    private readonly int _processId;
    private readonly Task<double?> _atMeasureStart;

    private CpuMeter(int processId, LoadWindow window)
    {
        _processId = processId;
        _atMeasureStart = ReadAtAsync(window.MeasureStart);
    }

    /// <summary>Which process is metered, for the report.</summary>
    public string Process => _processId == Environment.ProcessId ? "in-process" : $"pid {_processId.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Meters <paramref name="processId"/> from the start of <paramref name="window"/>'s measured part; null for none.</summary>
    public static CpuMeter? Start(int? processId, LoadWindow window) => processId is { } id ? new CpuMeter(id, window) : null;

    /// <summary>CPU seconds from the start of measuring to now, or null when either reading failed.</summary>
    public async Task<double?> StopAsync()
    {
        var end = Read();
        return await _atMeasureStart.ConfigureAwait(false) is { } start && end is { } stop ? stop - start : null;
    }

    private async Task<double?> ReadAtAsync(long timestamp)
    {
        var wait = LoadWindow.Seconds(Stopwatch.GetTimestamp(), timestamp);
        if (wait > 0)
        {
            await Task.Delay(TimeSpan.FromSeconds(wait)).ConfigureAwait(false);
        }
        return Read();
    }

    private double? Read()
    {
        try
        {
            return ProcessSampler.ParseCpuSeconds(File.ReadAllText($"/proc/{_processId.ToString(CultureInfo.InvariantCulture)}/stat"));
        }
        catch (IOException)
        {
            return null; // no /proc (not Linux), or the process is gone
        }
    }
}
