using System.Globalization;
using RecServe.Cli.Bench.Targets;
using RecServe.Core.Bundles;
using RecServe.Core.Tensors;
using RecServe.Embeddings.Deltas;
using RecServe.Import.Demo;

namespace RecServe.Cli.Bench.Update;

/// <summary>
/// The files of an update run: the model's base path with version 1, the delta staged beside it, and the two
/// updates made the way a deployment makes them: a new version copied under a name the server ignores and then
/// renamed into place, a delta file renamed into the served version's <c>deltas/</c>.
/// </summary>
internal sealed class UpdateScenario
{
    private const long FirstVersion = 1;
    private const long NewVersion = 2;
    private const long DeltaSeq = 1;

    private UpdateScenario(string workFolder, BundleManifest manifest, string deltaTable, long deltaRows)
    {
        BasePath = Path.Combine(workFolder, "models");
        StatePath = Path.Combine(workFolder, "state");
        StagedDelta = Path.Combine(workFolder, "staging", DeltaFormat.FileName(DeltaSeq));
        Manifest = manifest;
        DeltaTable = deltaTable;
        DeltaRows = deltaRows;
    }

    /// <summary>The model's base path (version folders 1/, 2/).</summary>
    public string BasePath { get; }

    /// <summary>The server's <c>--state_dir</c>.</summary>
    public string StatePath { get; }

    /// <summary>The delta, written before the run and moved into place at its event.</summary>
    public string StagedDelta { get; }

    /// <summary>The served bundle's manifest.</summary>
    public BundleManifest Manifest { get; }

    /// <summary>The table the delta upserts.</summary>
    public string DeltaTable { get; }

    /// <summary>Rows the delta upserts.</summary>
    public long DeltaRows { get; }

    /// <summary>The version served first.</summary>
    public static long Initial => FirstVersion;

    /// <summary>The version copied in during the run.</summary>
    public static long Next => NewVersion;

    /// <summary>Ids of each sparse feature drawn from [0, rows of its table), as the demo tables hold ids 0..rows-1.</summary>
    public Dictionary<string, long> IdRanges()
    {
        var rows = Manifest.Tables.ToDictionary(t => t.Name, t => t.Rows, StringComparer.Ordinal);
        return Manifest.SparseFeatures.ToDictionary(f => f.Name, f => Math.Max(1, rows.GetValueOrDefault(f.Table, 1)), StringComparer.Ordinal);
    }

    /// <summary>
    /// Creates <paramref name="workFolder"/> (emptied first) with version 1 (the given bundle copied, or a demo
    /// bundle written) and the staged delta.
    /// </summary>
    public static UpdateScenario Prepare(UpdateBenchSettings settings, string workFolder, TextWriter log)
    {
        if (Directory.Exists(workFolder))
        {
            Directory.Delete(workFolder, recursive: true);
        }
        var first = Path.Combine(workFolder, "models", FirstVersion.ToString(CultureInfo.InvariantCulture));
        if (settings.Bundle is { } bundle)
        {
            log.WriteLine($"copying the bundle {bundle} to {first}");
            CopyFolder(bundle, first);
        }
        else
        {
            var demo = settings.Demo;
            log.WriteLine($"writing a demo bundle: {demo.Tables} tables of {demo.Rows:N0} x {demo.Dim} fp32 ({demo.Residency}) to {first}");
            DemoModelWriter.Write(first, new DemoModelOptions { Rows = demo.Rows, Dim = demo.Dim, Tables = demo.Tables, Residency = demo.Residency });
        }
        var manifest = BundleManifestFile.Read(first);
        var table = PickDeltaTable(manifest, settings.DeltaTable);
        var scenario = new UpdateScenario(workFolder, manifest, table.Name, settings.DeltaRows);
        Directory.CreateDirectory(Path.GetDirectoryName(scenario.StagedDelta)!);
        log.WriteLine($"writing a {settings.DeltaRows:N0}-row delta of table {table.Name} (dim {table.Dim} {table.Dtype}) to {scenario.StagedDelta}");
        WriteDelta(scenario.StagedDelta, table, settings.DeltaRows);
        return scenario;
    }

    /// <summary>
    /// Writes the first <paramref name="count"/> of <paramref name="requests"/> into version 1's <c>warmup/</c> as
    /// TF-Serving JSON lines (the format <c>--record_warmup</c> writes), so the copied version warms up with them.
    /// </summary>
    public void WriteWarmupRequests(IReadOnlyList<TensorSet> requests, int count)
    {
        var folder = Path.Combine(VersionFolder(FirstVersion), "warmup");
        Directory.CreateDirectory(folder);
        using var file = File.Create(Path.Combine(folder, "bench.jsonl"));
        for (var i = 0; i < Math.Min(count, requests.Count); i++)
        {
            file.Write(TfServingRestTarget.Encode(requests[i]));
            file.WriteByte((byte)'\n');
        }
    }

    /// <summary>Copies version 1 to a hidden folder in the base path (ignored by the server while it is written).</summary>
    public string StageNewVersion()
    {
        var staging = Path.Combine(BasePath, "." + NewVersion.ToString(CultureInfo.InvariantCulture) + ".tmp");
        CopyFolder(VersionFolder(FirstVersion), staging);
        return staging;
    }

    /// <summary>Renames the staged copy to version 2: the server sees the whole version at once.</summary>
    public void PublishNewVersion(string staging) => Directory.Move(staging, VersionFolder(NewVersion));

    /// <summary>Moves the staged delta into version 2's <c>deltas/</c> with one rename.</summary>
    public void DropDelta()
    {
        var deltas = Path.Combine(VersionFolder(NewVersion), "deltas");
        Directory.CreateDirectory(deltas);
        File.Move(StagedDelta, Path.Combine(deltas, Path.GetFileName(StagedDelta)));
    }

    private string VersionFolder(long version) => Path.Combine(BasePath, version.ToString(CultureInfo.InvariantCulture));

    private static BundleTable PickDeltaTable(BundleManifest manifest, string? wanted)
    {
        foreach (var table in manifest.Tables)
        {
            if (wanted is null ? table.Dtype == "fp32" : table.Name == wanted)
            {
                return table;
            }
        }
        throw new ArgumentException(wanted is null
            ? "the bundle has no fp32 table for the delta; name one with --delta-table"
            : $"the bundle has no table '{wanted}'; its tables: {string.Join(", ", manifest.Tables.Select(t => t.Name))}");
    }

    // Ids 0..rows-1 overwrite the demo tables' rows (and add rows past a smaller table's end); every value is
    // distinct so a lookup can tell the new row from the old.
    private static void WriteDelta(string path, BundleTable table, long rows)
    {
        var schema = new DeltaTableSchema(table.Name, table.Dim, RecServe.Import.TableDtypes.Parse(table.Dtype));
        using var writer = new DeltaFileWriter(path, DeltaSeq, [schema]);
        var row = new float[table.Dim];
        for (long id = 0; id < rows; id++)
        {
            for (var d = 0; d < row.Length; d++)
            {
                row[d] = (id % 1000) * 0.001f + d * 0.01f;
            }
            writer.Upsert(0, id, row);
        }
        writer.Complete();
    }

    private static void CopyFolder(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }
        foreach (var folder in Directory.EnumerateDirectories(source))
        {
            CopyFolder(folder, Path.Combine(target, Path.GetFileName(folder)));
        }
    }
}
