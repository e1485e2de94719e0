using RecServe.Import;

namespace RecServe.Cli.Commands;

/// <summary>
/// Shows import and demo-model progress: a redrawn bar on a terminal, whole-percent lines (every 10%) when output
/// is redirected, so logs stay readable.
/// </summary>
internal sealed class ConsoleProgress : IProgress<ImportProgress>
{
    private const int BarWidth = 30;
    private readonly TextWriter _output;
    private readonly bool _interactive;
    private readonly string _unit;
    private string? _stage;
    private int _lastShown = -1;

    public ConsoleProgress(TextWriter output, bool interactive, string unit = "rows")
    {
        _output = output;
        _interactive = interactive;
        _unit = unit;
    }

    /// <summary>Progress for the console: a bar when stdout is a terminal; <paramref name="unit"/> names what is counted.</summary>
    public static ConsoleProgress ForConsole(string unit = "rows") => new(Console.Out, !Console.IsOutputRedirected, unit);

    public void Report(ImportProgress value)
    {
        if (value.Stage != _stage)
        {
            _stage = value.Stage;
            _lastShown = -1;
        }
        var percent = value.Total <= 0 ? 100 : (int)(value.Done * 100 / value.Total);
        var step = _interactive ? percent : percent / 10 * 10;
        if (step == _lastShown)
        {
            return;
        }
        _lastShown = step;
        if (_interactive)
        {
            var filled = percent * BarWidth / 100;
            _output.Write($"\r{value.Stage,-24} [{new string('#', filled)}{new string('.', BarWidth - filled)}] {percent,3}% ({value.Done:N0}/{value.Total:N0} {_unit})");
            if (value.Done >= value.Total)
            {
                _output.WriteLine();
            }
        }
        else
        {
            _output.WriteLine($"{value.Stage}: {step}% ({value.Done:N0}/{value.Total:N0} {_unit})");
        }
    }
}
