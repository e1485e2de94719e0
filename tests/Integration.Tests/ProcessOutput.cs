using System.Diagnostics;
using System.Text;

namespace Integration.Tests;

/// <summary>Collects a started process's stdout and stderr lines as they arrive (both streams must be redirected).</summary>
internal sealed class ProcessOutput
{
    private readonly StringBuilder _all = new();
    private readonly List<string> _stdout = [];

    public ProcessOutput(Process process)
    {
        process.OutputDataReceived += (_, e) => Add(e.Data, stdout: true);
        process.ErrorDataReceived += (_, e) => Add(e.Data, stdout: false);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>Everything so far, both streams interleaved.</summary>
    public string Text
    {
        get
        {
            lock (_all)
            {
                return _all.ToString();
            }
        }
    }

    /// <summary>The stdout lines so far.</summary>
    public IReadOnlyList<string> StdoutLines
    {
        get
        {
            lock (_all)
            {
                return [.. _stdout];
            }
        }
    }

    private void Add(string? line, bool stdout)
    {
        if (line is null)
        {
            return;
        }
        lock (_all)
        {
            _all.AppendLine(line);
            if (stdout)
            {
                _stdout.Add(line);
            }
        }
    }
}
