using System.Diagnostics;
using RecServe.Core.Bundles;
using RecServe.Core.Tensors;
using RecServe.Embeddings.Deltas;
using RecServe.Embeddings.Overlay;
using RecServe.Embeddings.Tables;

namespace RecServe.Cli.Tests.Commands;

/// <summary>The real <c>recserve delta</c> commands as child processes, including one killed (SIGKILL) mid-apply.</summary>
public sealed class DeltaCommandTests : IDisposable
{
    private const int Dim = 8;
    private readonly string _root = Path.Combine(Path.GetTempPath(), "recserve-delta-cli", Guid.NewGuid().ToString("N"));
    private readonly string _bundle;
    private readonly string _state;
    private readonly long[] _ids;

    public DeltaCommandTests()
    {
        _bundle = Path.Combine(_root, "models", "m", "1");
        _state = Path.Combine(_root, "state");
        _ids = [.. Enumerable.Range(1, 200_000).Select(i => (long)i * 7919)];
        using (var writer = new EmbeddingTableWriter(Path.Combine(_bundle, "tables", "emb"), "emb", Dim, TensorDataType.Float32))
        {
            writer.AddRange(_ids, new float[_ids.Length * Dim]);
            writer.Complete();
        }
        BundleManifestFile.Write(_bundle, new BundleManifest
        {
            SparseFeatures = [new BundleSparseFeature { Name = "f", Table = "emb", Pooling = "sum", MaxIdsPerRow = 1, GraphInput = "f.pooled" }],
            Outputs = [new BundleOutput { Name = "y", Dtype = "float32", Shape = [-1, 1] }],
            Tables = [new BundleTable { Name = "emb", Path = "tables/emb", Dim = Dim, Dtype = "fp32", Rows = _ids.Length }],
        });
    }

    [Fact]
    public void MakeInspectApplyFromTheCommandLine()
    {
        var csv = Path.Combine(_root, "rows.csv");
        File.WriteAllLines(csv, ["# id,values", $"{_ids[0]},1,2,3,4,5,6,7,8", $"{_ids[1]}", "42,1,1,1,1,1,1,1,1"]);
        var delta = Path.Combine(_bundle, "deltas", "1.delta");

        var make = Recserve("delta", "make", "--bundle", _bundle, "--table", "emb", "--from", csv, "--seq", "1", "--out", delta);
        Assert.True(make.Code == 0, make.Output);
        var inspect = Recserve("delta", "inspect", delta, "--bundle", _bundle);
        Assert.True(inspect.Code == 0, inspect.Output);
        Assert.Contains("table emb: dim 8 Float32, 2 upserts, 1 deletes", inspect.Output, StringComparison.Ordinal);
        var apply = Recserve("delta", "apply", _bundle, delta, "--state-dir", _state);
        Assert.True(apply.Code == 0, apply.Output);
        Assert.Contains("applied seq 1: 2 upserts, 1 deletes", apply.Output, StringComparison.Ordinal);
        Assert.Contains("skipped seq 1", Recserve("delta", "apply", _bundle, delta, "--state-dir", _state).Output, StringComparison.Ordinal);

        var bytes = File.ReadAllBytes(delta);
        bytes[100] ^= 4;
        File.WriteAllBytes(delta, bytes);
        var corrupt = Recserve("delta", "inspect", delta);
        Assert.Equal(1, corrupt.Code);
        Assert.Contains("INVALID", corrupt.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void MakeWritesDenseWeightsFromJsonAndRefusesAMalformedFile()
    {
        var weights = Path.Combine(_root, "weights.json");
        File.WriteAllText(weights, """{"fc.bias": {"dtype": "float32", "shape": [2], "values": [0.5, -1]}}""");
        var delta = Path.Combine(_root, "2.delta");

        var make = Recserve("delta", "make", "--bundle", _bundle, "--weights", weights, "--seq", "2", "--out", delta);

        Assert.True(make.Code == 0, make.Output);
        Assert.Contains("no rows, 1 dense weights", make.Output, StringComparison.Ordinal);
        var inspect = Recserve("delta", "inspect", delta);
        Assert.True(inspect.Code == 0, inspect.Output);
        Assert.Contains("1 dense weights", inspect.Output, StringComparison.Ordinal);

        File.WriteAllText(weights, """{"fc.bias": {"dtype": "float32", "shape": [3], "values": [0.5, -1]}}""");
        var bad = Recserve("delta", "make", "--bundle", _bundle, "--weights", weights, "--seq", "3", "--out", Path.Combine(_root, "3.delta"));
        Assert.Equal(1, bad.Code);
        Assert.Contains("has 2 values, its shape [3] needs 3", bad.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_root, "3.delta")));
    }

    [Theory]
    [InlineData("validated")]
    [InlineData("persisting")]
    [InlineData("persisted")]
    public void AKillMidApplyLeavesExactlyThePreOrPostDeltaState(string stage)
    {
        var delta = WriteOnesDelta();
        using (var process = Start("delta", "apply", _bundle, delta, "--state-dir", _state))
        {
            string? line;
            while ((line = process.StandardOutput.ReadLine()) is not null && line != $"stage: {stage}")
            {
            }
            Assert.Equal($"stage: {stage}", line);
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        var seq = ReadState(out var values);
        if (stage == "persisted")
        {
            Assert.Equal(1, seq);
        }
        Assert.Contains(seq, new long[] { 0, 1 });
        Assert.All(values, value => Assert.Equal(seq, value));

        var again = Recserve("delta", "apply", _bundle, delta, "--state-dir", _state);
        Assert.True(again.Code == 0, again.Output);
        Assert.Equal(1, ReadState(out values));
        Assert.All(values, value => Assert.Equal(1f, value));
    }

    [Fact]
    public void AFullDiskWhileWritingTheOverlayIsAClearErrorAndChangesNothing()
    {
        var delta = WriteOnesDelta();
        // A file size limit stands in for a full disk (no root needed for a small tmpfs): with SIGXFSZ ignored, a
        // write past the limit fails with EFBIG the way a write to a full disk fails with ENOSPC, in the middle of
        // RocksDB's write-ahead log. 512 KiB is far less than the delta's 200,000 rows. The runtime's W^X double
        // mapping sizes a memory file far past that limit, so it is turned off for this process.
        var limited = $"trap '' XFSZ; ulimit -f 512; export DOTNET_EnableWriteXorExecute=0; exec dotnet \"$0\" \"$@\"";
        var full = Run("bash", ["-c", limited, Path.Combine(AppContext.BaseDirectory, "recserve.dll"), "delta", "apply", _bundle, delta, "--state-dir", _state]);

        Assert.NotEqual(0, full.Code);
        var lines = full.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var error = Assert.Single(lines, line => line.StartsWith("recserve delta apply:", StringComparison.Ordinal));
        Assert.Contains("nothing of it was applied", error, StringComparison.Ordinal);
        Assert.Contains("File too large", error, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(lines, line => line.StartsWith("applied", StringComparison.Ordinal));
        Assert.Equal(0, ReadState(out var values));
        Assert.Equal([0f], values);

        // Space is back: the same delta applies whole, once.
        var again = Recserve("delta", "apply", _bundle, delta, "--state-dir", _state);
        Assert.True(again.Code == 0, again.Output);
        Assert.Equal(1, ReadState(out values));
        Assert.Equal([1f], values);
    }

    /// <summary>Writes deltas/1.delta setting every row of the table to ones.</summary>
    private string WriteOnesDelta()
    {
        var delta = Path.Combine(_bundle, "deltas", "1.delta");
        using var writer = new DeltaFileWriter(delta, 1, [new DeltaTableSchema("emb", Dim, TensorDataType.Float32)]);
        var row = new float[Dim];
        row.AsSpan().Fill(1f);
        foreach (var id in _ids)
        {
            writer.Upsert(0, id, row);
        }
        writer.Complete();
        return delta;
    }

    /// <summary>The overlay's last seq and the first value of every id's row, as a restarted server would see them.</summary>
    private long ReadState(out HashSet<float> values)
    {
        using var table = EmbeddingTable.Open(Path.Combine(_bundle, "tables", "emb"));
        using var overlay = EmbeddingOverlay.Open(EmbeddingOverlay.DirectoryFor(_state, "m", 1), [table]);
        values = [];
        var row = new float[Dim];
        foreach (var id in _ids)
        {
            table.ReadRowOrDefault(id, row);
            values.Add(row[0]);
            values.Add(row[Dim - 1]);
        }
        return overlay.LastAppliedSeq;
    }

    private static Process Start(params string[] args) =>
        StartProgram("dotnet", [Path.Combine(AppContext.BaseDirectory, "recserve.dll"), .. args]);

    private static Process StartProgram(string program, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        return Process.Start(info)!;
    }

    private static (int Code, string Output) Recserve(params string[] args) =>
        Run("dotnet", [Path.Combine(AppContext.BaseDirectory, "recserve.dll"), .. args]);

    private static (int Code, string Output) Run(string program, IEnumerable<string> args)
    {
        using var process = StartProgram(program, args);
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.Result);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
