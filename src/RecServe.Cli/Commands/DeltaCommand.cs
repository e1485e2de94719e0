using System.CommandLine;
using System.Globalization;
using RecServe.Cli.Commands.Delta;
using RecServe.Core.Bundles;
using RecServe.Embeddings.Deltas;
using RecServe.Embeddings.Overlay;

namespace RecServe.Cli.Commands;

/// <summary><c>recserve delta make | inspect | apply | publish</c>: write, check, apply and stream incremental updates (docs/DELTA.md).</summary>
internal static partial class DeltaCommand
{
    public static Command Create()
    {
        var command = new Command("delta",
            "Incremental updates of a bundle's embedding tables (format: docs/DELTA.md).\n\n" +
            "Examples:\n" +
            "  recserve delta make --bundle models/dlrm/1 --table emb_0 --from rows.csv --seq 1 --out models/dlrm/1/deltas/1.delta\n" +
            "  recserve delta inspect models/dlrm/1/deltas/1.delta\n" +
            "  recserve delta apply models/dlrm/1 models/dlrm/1/deltas/1.delta --state-dir /var/lib/recserve\n" +
            "  recserve delta publish 2.delta --redis 10.0.0.1:6379 --model dlrm");
        command.Subcommands.Add(Make());
        command.Subcommands.Add(Inspect());
        command.Subcommands.Add(Apply());
        command.Subcommands.Add(Publish());
        return command;
    }

    private static Command Make()
    {
        var bundle = new Option<string>("--bundle") { Description = "Bundle version folder whose table the delta targets.", Required = true };
        var table = new Option<string>("--table") { Description = "Table name.", Required = true };
        var from = new Option<string>("--from") { Description = "CSV rows: 'id,v1,...,vD' upserts, 'id' alone deletes.", Required = true };
        var seq = new Option<long>("--seq") { Description = "Sequence number (1 for the first delta of a version).", Required = true };
        var output = new Option<string>("--out") { Description = "Delta file to write (normally <bundle>/deltas/<seq>.delta).", Required = true };
        var command = new Command("make",
            "Write a delta from a CSV of rows; shows how much of the CSV is read.\n\n" +
            "Examples:\n" +
            "  recserve delta make --bundle models/dlrm/1 --table emb_0 --from rows.csv --seq 1 --out models/dlrm/1/deltas/1.delta\n" +
            "  recserve delta make --bundle models/dlrm/1 --table emb_0 --from deletes.csv --seq 2 --out /tmp/2.delta   # lines with an id alone delete it")
            { bundle, table, from, seq, output };
        command.SetAction(parse => Run("make", () =>
        {
            using var tables = BundleTables.Open(parse.GetValue(bundle)!);
            var schema = DeltaTableSchema.Of(tables.Find(parse.GetValue(table)!));
            using var writer = new DeltaFileWriter(parse.GetValue(output)!, parse.GetValue(seq), [schema]);
            RowsCsvReader.Read(parse.GetValue(from)!, schema.Dim, (id, row) => writer.Upsert(0, id, row), id => writer.Delete(0, id),
                ConsoleProgress.ForConsole("bytes"));
            writer.Complete();
            Console.WriteLine($"wrote {parse.GetValue(output)}: seq {parse.GetValue(seq)}, {writer.RecordCount} records for table '{schema.Name}'");
            return 0;
        }));
        return command;
    }

    private static Command Inspect()
    {
        var file = new Argument<string>("file") { Description = "The delta file." };
        var bundle = new Option<string?>("--bundle") { Description = "Also check the delta against this bundle version's tables." };
        var command = new Command("inspect",
            "Print a delta's header, tables, dense weights and whether it is valid (exit code 1 when it is not).\n\n" +
            "Examples:\n" +
            "  recserve delta inspect models/dlrm/1/deltas/1.delta\n" +
            "  recserve delta inspect models/dlrm/1/deltas/1.delta --bundle models/dlrm/1   # also check it fits the tables")
            { file, bundle };
        command.SetAction(parse => Run("inspect", () =>
        {
            var path = parse.GetValue(file)!;
            var bytes = File.ReadAllBytes(path);
            var header = DeltaHeader.Read(bytes, path);
            Console.WriteLine($"{path}: format version {header.Version}, seq {header.Seq}, {header.FileBytes} bytes (file has {bytes.Length}), "
                + $"{header.RecordCount} records, {header.TableCount} tables, {header.DenseCount} dense weights");
            DeltaFile delta;
            try
            {
                using var tables = parse.GetValue(bundle) is { } folder ? BundleTables.Open(folder) : null;
                delta = DeltaFile.Parse(bytes, path, tables?.Tables.Select(DeltaTableSchema.Of).ToList());
            }
            catch (DeltaFormatException e)
            {
                Console.WriteLine($"INVALID: {e.Message}");
                return 1;
            }
            foreach (var table in delta.Tables)
            {
                Console.WriteLine($"  table {table.Name}: dim {table.Dim} {table.DataType}, {table.Upserts} upserts, {table.Deletes} deletes");
            }
            foreach (var dense in delta.DenseUpdates)
            {
                Console.WriteLine($"  dense {dense.Name}: {dense.DataType} [{string.Join(", ", dense.Shape)}], {dense.Data.Length} bytes");
            }
            Console.WriteLine($"checksum {delta.Checksum:x16}: ok; valid");
            return 0;
        }));
        return command;
    }

    private static Command Apply()
    {
        var bundle = new Argument<string>("bundle") { Description = "Bundle version folder (…/<model>/<version>)." };
        var file = new Argument<string>("file") { Description = "The delta file." };
        var stateDir = new Option<string>("--state-dir") { Description = "Where overlays live: <state-dir>/<model>/<version>/overlay.", Required = true };
        var model = new Option<string?>("--model") { Description = "Model name; defaults to the name of the bundle's parent folder." };
        var command = new Command("apply",
            "Apply a delta to a bundle version's overlay, offline (exactly once, all or nothing); prints each stage as it is reached\n" +
            "(validated, persisting, persisted, published).\n\n" +
            "Examples:\n" +
            "  recserve delta apply models/dlrm/1 models/dlrm/1/deltas/1.delta --state-dir /var/lib/recserve\n" +
            "  recserve delta apply /models/ranker/7 /tmp/2.delta --state-dir /var/lib/recserve --model ranker")
            { bundle, file, stateDir, model };
        command.SetAction(parse => Run("apply", () =>
        {
            var folder = Path.GetFullPath(parse.GetValue(bundle)!);
            if (!long.TryParse(Path.GetFileName(folder), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                throw new ArgumentException($"'{folder}' is not a version folder (its name must be a number)");
            }
            var name = parse.GetValue(model) ?? Path.GetFileName(Path.GetDirectoryName(folder))!;
            using var tables = BundleTables.Open(folder);
            using var overlay = EmbeddingOverlay.Open(EmbeddingOverlay.DirectoryFor(parse.GetValue(stateDir)!, name, version), tables.Tables);
            // Stage lines are flushed as they happen: tests kill the process on them to simulate a crash mid-apply.
            var result = overlay.Apply(parse.GetValue(file)!, stage => Console.Out.WriteLine($"stage: {stage.ToString().ToLowerInvariant()}"));
            Console.WriteLine(result.Applied
                ? $"applied seq {result.Seq}: {result.Upserts} upserts, {result.Deletes} deletes, {result.DenseUpdates.Count} dense weights; overlay at {overlay.Directory}"
                : $"skipped seq {result.Seq}: already applied (last applied seq {overlay.LastAppliedSeq})");
            return 0;
        }));
        return command;
    }

    private static int Run(string verb, Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is DeltaFormatException or DeltaSequenceException or BundleFormatException or ArgumentException
            or FormatException or IOException or InvalidOperationException or Embeddings.Tables.TableFormatException)
        {
            Console.Error.WriteLine($"recserve delta {verb}: {e.Message}");
            return 1;
        }
    }
}
