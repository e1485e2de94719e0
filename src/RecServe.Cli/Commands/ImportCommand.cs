using System.CommandLine;
using RecServe.Core.Bundles;
using RecServe.Import;

namespace RecServe.Cli.Commands;

/// <summary><c>recserve import</c>: turns a PyTorch-exported ONNX model into a bundle.</summary>
internal static class ImportCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "The ONNX model to import (as written by torch.onnx.export)." };
        var output = new Option<string>("--out") { Description = "The bundle version folder to create, e.g. models/dlrm/2; must not exist.", Required = true };
        var dtype = new Option<string>("--dtype") { Description = "Row storage of the tables: fp32, fp16 or int8.", DefaultValueFactory = _ => "fp32" };
        dtype.AcceptOnlyFromAmong("fp32", "fp16", "int8");
        var minRows = new Option<long>("--min-rows") { Description = "Embedding initializers with fewer rows stay in the graph.", DefaultValueFactory = _ => ImportOptions.DefaultMinRows };
        var tier = new Option<string>("--tier") { Description = "Residency of the tables: mapped (memory-mapped) or memory.", DefaultValueFactory = _ => BundleFormat.ResidencyMapped };
        tier.AcceptOnlyFromAmong(BundleFormat.ResidencyMapped, BundleFormat.ResidencyMemory);
        var noCheck = new Option<bool>("--no-check") { Description = "Skip comparing the bundle with the original model (not recommended)." };

        var command = new Command("import",
            "Import an ONNX model exported by PyTorch as a bundle: embedding tables move out of the graph, which takes their pooled lookups as inputs.\n" +
            "The bundle is compared with the original model on random inputs before it is published.\n\n" +
            "Examples:\n" +
            "  recserve import examples/models/dlrm/1/model.onnx --out /tmp/dlrm-bundle/1\n" +
            "  recserve import model.onnx --out models/ranker/2 --dtype int8 --tier memory")
        {
            model, output, dtype, minRows, tier, noCheck,
        };
        command.SetAction(parse =>
        {
            var options = new ImportOptions
            {
                TableDataType = TableDtypes.Parse(parse.GetValue(dtype)!),
                MinRows = parse.GetValue(minRows),
                Residency = parse.GetValue(tier)!,
                SelfCheck = !parse.GetValue(noCheck),
                Progress = ConsoleProgress.ForConsole(),
            };
            return Run(parse.GetValue(model)!, parse.GetValue(output)!, options, Console.Out, Console.Error);
        });
        return command;
    }

    /// <summary>Imports and reports; returns the exit code (0, or 1 when the import failed).</summary>
    public static int Run(string modelPath, string outFolder, ImportOptions options, TextWriter output, TextWriter error)
    {
        ImportResult result;
        try
        {
            result = BundleImporter.Import(modelPath, outFolder, options);
        }
        catch (ImportException e)
        {
            error.WriteLine($"recserve import: {e.Message}");
            return 1;
        }
        if (result.Extracted.Count == 0)
        {
            output.WriteLine($"nothing to extract: no embedding lookup on an initializer of {options.MinRows}+ rows; the bundle holds the graph unchanged");
        }
        foreach (var line in result.Extracted)
        {
            output.WriteLine($"extracted {line}");
        }
        foreach (var note in result.Notes)
        {
            output.WriteLine($"note: {note}");
        }
        if (result.MaxError is { } maxError)
        {
            output.WriteLine($"self-check: max output difference {maxError:G3} (allowed {result.Tolerance:G2})");
        }
        output.WriteLine($"wrote {outFolder}: {result.Manifest.Tables.Count} table(s), {result.Manifest.SparseFeatures.Count} sparse feature(s), {result.Manifest.DenseInputs.Count} dense input(s)");
        return 0;
    }
}
