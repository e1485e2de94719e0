using System.Diagnostics;
using System.Globalization;

namespace RecServe.Cli.Bench.Update;

/// <summary>
/// Samples another process's resident memory (VmRSS in <c>/proc/&lt;pid&gt;/status</c>, Linux) on a thread of its
/// own at a fixed interval, so that memory can be plotted on the same time axis as latency.
/// </summary>
internal sealed class ResidentMemorySampler : IDisposable
{
    private readonly string _statusPath;
    private readonly TimeSpan _interval;
    private readonly List<MemorySample> _samples = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;

    /// <summary>Starts sampling process <paramref name="processId"/> every <paramref name="interval"/>.</summary>
    public ResidentMemorySampler(int processId, TimeSpan interval)
    {
        _statusPath = $"/proc/{processId.ToString(CultureInfo.InvariantCulture)}/status";
        _interval = interval;
        _thread = new Thread(Run) { IsBackground = true, Name = "rss sampler" };
        _thread.Start();
    }

    /// <summary>The samples so far, oldest first.</summary>
    public MemorySample[] Samples
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
            try
            {
                text = File.ReadAllText(_statusPath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return; // the process has exited
            }
            if (ParseRssBytes(text) is { } rss)
            {
                lock (_samples)
                {
                    _samples.Add(new MemorySample(Stopwatch.GetTimestamp(), rss));
                }
            }
            _stop.Token.WaitHandle.WaitOne(_interval);
        }
    }
}
