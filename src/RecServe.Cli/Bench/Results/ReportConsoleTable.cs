using System.Globalization;
using Spectre.Console;

namespace RecServe.Cli.Bench.Results;

/// <summary>
/// Renders a <see cref="BenchReport"/> on a terminal as coloured tables: the run, then the latency percentiles side by
/// side (p99.9 and max stand out) and the errors by status in red. Redirected output gets <see cref="ReportTable"/>'s
/// plain lines instead, which scripts read.
/// </summary>
internal static class ReportConsoleTable
{
    public static void Render(IAnsiConsole console, BenchReport report)
    {
        var c = CultureInfo.InvariantCulture;
        var run = new Table { Border = TableBorder.Rounded, Title = new TableTitle("[bold]recserve bench[/]") };
        run.AddColumn("[grey]run[/]");
        run.AddColumn(string.Empty);
        run.AddRow("target", Markup.Escape(report.Target));
        run.AddRow("model", Markup.Escape(report.Version is { } v ? string.Create(c, $"{report.Model} version {v}") : report.Model));
        run.AddRow("load", report.Rate is { } rate
            ? string.Create(c, $"open loop, {rate:0.##} req/s")
            : string.Create(c, $"closed loop, concurrency {report.Concurrency}"));
        run.AddRow("batch", string.Create(c, $"{report.RowsPerRequest:0.##} rows/request, pool of {report.PoolSize} requests"));
        run.AddRow("time", string.Create(c, $"warm-up {report.WarmupSeconds:0.##} s, measured {report.ElapsedSeconds:0.00} s"));
        run.AddRow("requests", report.Errors > 0
            ? string.Create(c, $"[green]{report.Requests} ok[/], [red]{report.Errors} failed[/]")
            : string.Create(c, $"[green]{report.Requests} ok[/], 0 failed"));
        run.AddRow("throughput", string.Create(c, $"[bold]{report.RequestsPerSecond:0.0} req/s[/], {report.RowsPerSecond:0} rows/s"));
        if (report.CpuMicrosecondsPerRequest is { } cpu)
        {
            run.AddRow("cpu", Markup.Escape(string.Create(c, $"{cpu:0.0} µs per request ({report.CpuProcess})")));
        }
        if (report.Rate is not null)
        {
            run.AddRow("dropped / late", string.Create(c, $"{report.Dropped} / {report.Late}"));
        }
        console.Write(run);

        var l = report.Latency;
        var latency = new Table { Border = TableBorder.Rounded, Title = new TableTitle("latency, ms") };
        foreach (var column in new[] { "p50", "p90", "p99", "[yellow]p99.9[/]", "[red]max[/]", "mean" })
        {
            latency.AddColumn(new TableColumn(column).RightAligned());
        }
        latency.AddRow(Ms(l.P50), Ms(l.P90), Ms(l.P99), $"[yellow]{Ms(l.P999)}[/]", $"[red]{Ms(l.Max)}[/]", Ms(l.Mean));
        console.Write(latency);

        if (report.Errors > 0)
        {
            var errors = new Table { Border = TableBorder.Rounded, Title = new TableTitle("[red]errors[/]") };
            errors.AddColumn("status");
            errors.AddColumn(new TableColumn("count").RightAligned());
            foreach (var (status, count) in report.ErrorsByStatus)
            {
                errors.AddRow($"[red]{Markup.Escape(status)}[/]", count.ToString(c));
            }
            console.Write(errors);
        }
    }

    private static string Ms(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);
}
