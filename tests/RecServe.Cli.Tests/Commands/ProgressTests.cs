using System.Diagnostics;
using RecServe.Cli.Commands;
using RecServe.Embeddings.Redis;
using RecServe.Import;

namespace RecServe.Cli.Tests.Commands;

/// <summary>Long commands show progress; redirected, as here, it is a line per 10% ending at 100%.</summary>
public sealed class ProgressTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "recserve-progress", Guid.NewGuid().ToString("N"));

    public ProgressTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void DemoModelAndDeltaMakeAndApplyShowProgress()
    {
        var bundle = Path.Combine(_folder, "demo", "1");
        var demo = RecserveProcess.Run("demo-model", "--rows", "200000", "--dim", "4", "--tables", "2", "--out", bundle);
        Assert.True(demo.Code == 0, demo.Stderr);
        Assert.Matches(@"(?m)^table table_0: 50% \([\d,]+/200,000 rows\)", demo.Stdout);
        Assert.Contains("table table_1: 100% (200,000/200,000 rows)", demo.Stdout, StringComparison.Ordinal);

        var csv = Path.Combine(_folder, "rows.csv");
        File.WriteAllLines(csv, Enumerable.Range(0, 150_000).Select(i => $"{i},1,2,3,4"));
        var delta = Path.Combine(_folder, "1.delta");
        var make = RecserveProcess.Run("delta", "make", "--bundle", bundle, "--table", "table_0", "--from", csv, "--seq", "1", "--out", delta);
        Assert.True(make.Code == 0, make.Stderr);
        var reading = make.Stdout.Split('\n').Where(l => l.StartsWith("reading rows.csv: ", StringComparison.Ordinal)).ToList();
        Assert.True(reading.Count >= 2, make.Stdout);
        Assert.EndsWith($"100% ({new FileInfo(csv).Length:N0}/{new FileInfo(csv).Length:N0} bytes)", reading[^1].TrimEnd(), StringComparison.Ordinal);

        var apply = RecserveProcess.Run("delta", "apply", bundle, delta, "--state-dir", Path.Combine(_folder, "state"));
        Assert.True(apply.Code == 0, apply.Stderr);
        Assert.Equal(["stage: validated", "stage: persisting", "stage: persisted", "stage: published"],
            apply.Stdout.Split('\n').Where(l => l.StartsWith("stage: ", StringComparison.Ordinal)).Select(l => l.TrimEnd()));
    }

    [Fact]
    public void ImportShowsProgress()
    {
        var model = Path.Combine(RepositoryPaths.Root, "examples", "models", "dlrm", "1", "model.onnx");
        var import = RecserveProcess.Run("import", model, "--out", Path.Combine(_folder, "imported", "1"));

        Assert.True(import.Code == 0, import.Stderr);
        Assert.Matches(@"(?m)^.+: 100% \([\d,]+/[\d,]+ rows\)\r?$", import.Stdout);
    }

    [Fact]
    public void ConsoleProgressDrawsABarOnATerminalAndTenLinesOtherwise()
    {
        using var terminal = new StringWriter();
        using var redirected = new StringWriter();
        var bar = new ConsoleProgress(terminal, interactive: true, unit: "bytes");
        var lines = new ConsoleProgress(redirected, interactive: false);
        for (var done = 0; done <= 1000; done += 5)
        {
            bar.Report(new ImportProgress("copy", done, 1000));
            lines.Report(new ImportProgress("copy", done, 1000));
        }

        Assert.EndsWith("100% (1,000/1,000 bytes)" + Environment.NewLine, terminal.ToString(), StringComparison.Ordinal);
        Assert.Contains("\r", terminal.ToString(), StringComparison.Ordinal);
        Assert.Equal(11, redirected.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void TablePushProgressShowsRowsAndRate()
    {
        using var output = new StringWriter();
        var progress = new PushProgressLine(output, interactive: false, Stopwatch.StartNew());
        for (var done = 0L; done <= 100_000; done += 1000)
        {
            progress.Report(new RedisPushProgress(done, 100_000));
        }

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(11, lines.Length);
        Assert.Matches(@"^pushed 100,000/100,000 rows \(100%\), [\d,]+ rows/s", lines[^1]);
    }
}
