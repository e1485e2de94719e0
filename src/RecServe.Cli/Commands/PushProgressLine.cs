using System.Diagnostics;
using RecServe.Embeddings.Redis;

namespace RecServe.Cli.Commands;

/// <summary>
/// The progress of <c>recserve table push</c>: one redrawn line on a terminal, a line per 10% when redirected;
/// rows, percent and rows/s.
/// </summary>
internal sealed class PushProgressLine(TextWriter output, bool interactive, Stopwatch clock) : IProgress<RedisPushProgress>
{
    private int _lastShown = -1;

    public void Report(RedisPushProgress value)
    {
        var percent = value.RowsTotal <= 0 ? 100 : (int)(value.RowsDone * 100 / value.RowsTotal);
        var step = interactive ? percent : percent / 10 * 10;
        if (step == _lastShown)
        {
            return;
        }
        _lastShown = step;
        var rate = value.RowsDone / Math.Max(clock.Elapsed.TotalSeconds, 1e-3);
        var line = $"pushed {value.RowsDone:N0}/{value.RowsTotal:N0} rows ({percent}%), {rate:N0} rows/s";
        if (interactive)
        {
            output.Write($"\r{line}");
            if (value.RowsDone >= value.RowsTotal)
            {
                output.WriteLine();
            }
        }
        else
        {
            output.WriteLine(line);
        }
    }
}
