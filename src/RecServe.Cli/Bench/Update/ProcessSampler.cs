using System.Diagnostics;
using System.Globalization;

namespace RecServe.Cli.Bench.Update;

/// <summary>
/// Samples another process's resident memory (VmRSS in <c>/proc/&lt;pid&gt;/status</c>) and CPU time
/// (<c>/proc/&lt;pid&gt;/stat</c>) on a thread of its own at a fixed interval (Linux), so that both can be
/// plotted on the same time axis as latency.
/// </summary>
internal sealed class ProcessSampler : IDisposable
{
    // USER_HZ, the unit of the stat file's CPU times: 100 on every Linux architecture .NET runs on.
    private const double ClockTicksPerSecond = 100;

    private readonly string _statusPath;
    private readonly string _statPath;
    private readonly TimeSpan _interval;
    private readonly List<ProcessSample> _samples = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;

    /// <summary>Starts sampling process <paramref name="processId"/> every <paramref name="interval"/>.</summary>
    public ProcessSampler(int processId, TimeSpan interval)
    {
        _statusPath = $"/proc/{processId.ToString(CultureInfo.InvariantCulture)}/status";
        _statPath = $"/proc/{processId.ToString(CultureInfo.InvariantCulture)}/stat";
        _interval = interval;
        _thread = new Thread(Run) { IsBackground = true, Name = "rss sampler" };
        _thread.Start();
    }

    /// <summary>The samples so far, oldest first.</summary>
    public ProcessSample[] Samples
    {
        get
        {
            lock (_samples)
            {
                return [.. _samples];
            }
        }
    }

    /// <summary>Reads the resident memory of process <paramref name="processId"/> now, or null when it cannot be read.</summary>
    public static long? ReadRssBytes(int processId)
    {
        try
        {
            return ParseRssBytes(File.ReadAllText($"/proc/{processId.ToString(CultureInfo.InvariantCulture)}/status"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The VmRSS line of a <c>/proc/&lt;pid&gt;/status</c> text (<c>VmRSS:  123456 kB</c>) in bytes, or null when absent.</summary>
    public static long? ParseRssBytes(string statusText)
    {
        foreach (var line in statusText.AsSpan().EnumerateLines())
        {
            if (!line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                continue;
            }
            var value = line["VmRSS:".Length..].Trim();
            var unit = value.IndexOf(' ');
            // The kernel always reports kB; anything else is not a status file this code understands.
            if (unit < 0 || !value[(unit + 1)..].Trim().SequenceEqual("kB")
                || !long.TryParse(value[..unit], NumberStyles.None, CultureInfo.InvariantCulture, out var kilobytes))
            {
                return null;
            }
            return kilobytes * 1024;
        }
        return null;
    }

    /// <summary>
    /// User plus system CPU seconds in a <c>/proc/&lt;pid&gt;/stat</c> line (fields 14 and 15), or null when it does
    /// not parse. The command name (field 2) may hold spaces and parentheses, so fields are counted after its last ')'.
    /// </summary>
    public static double? ParseCpuSeconds(string statText)
    {
        var close = statText.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }
        // After the name: state is field 3, so utime (14) and stime (15) are the 12th and 13th from here.
        var fields = statText[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 13
            || !long.TryParse(fields[11], NumberStyles.None, CultureInfo.InvariantCulture, out var user)
            || !long.TryParse(fields[12], NumberStyles.None, CultureInfo.InvariantCulture, out var system))
        {
            return null;
        }
        return (user + system) / ClockTicksPerSecond;
    }

    /// <summary>Stops sampling.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _stop.Dispose();
    }

    private void Run()
    {
        while (!_stop.IsCancellationRequested)
        {
            string text;
            string stat;
            try
            {
                text = File.ReadAllText(_statusPath);
                stat = File.ReadAllText(_statPath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return; // the process has exited
            }
            if (ParseRssBytes(text) is { } rss)
            {
                lock (_samples)
                {
                    _samples.Add(new ProcessSample(Stopwatch.GetTimestamp(), rss, ParseCpuSeconds(stat) ?? -1));
                }
            }
            _stop.Token.WaitHandle.WaitOne(_interval);
        }
    }
}
