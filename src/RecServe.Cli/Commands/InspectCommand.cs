using System.CommandLine;
using RecServe.Cli.Inspect;
using RecServe.Core.Bundles;
using RecServe.Embeddings.Deltas;
using RecServe.Runtime;
using Spectre.Console;

namespace RecServe.Cli.Commands;

/// <summary><c>recserve inspect</c>: what a bundle or ONNX model holds: signature, tables, deltas.</summary>
internal static class InspectCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("path") { Description = "A version folder (…/<model>/<version>) or a model base path (its highest version is shown)." };
        var stateDir = new Option<string?>("--state-dir") { Description = "Where overlays live (as for 'recserve delta apply'): also print the last applied delta seq." };
        var model = new Option<string?>("--model") { Description = "Model name in --state-dir; defaults to the version folder's parent folder name." };
        var command = new Command("inspect",
            "Print a model's signature (dense and sparse inputs, outputs), its embedding tables and the deltas present.\n\n" +
            "Examples:\n" +
            "  recserve inspect examples/models/dlrm\n" +
            "  recserve inspect models/demo/1 --state-dir /var/lib/recserve")
        {
            path, stateDir, model,
        };
        command.SetAction(parse => Run(parse.GetValue(path)!, parse.GetValue(stateDir), parse.GetValue(model), AnsiConsole.Console, Console.Error));
        return command;
    }

    /// <summary>Inspects <paramref name="path"/> onto <paramref name="console"/>; 0, or 1 with one line on <paramref name="error"/>.</summary>
    public static int Run(string path, string? stateDir, string? model, IAnsiConsole console, TextWriter error)
    {
        ModelInspection inspection;
        try
        {
            inspection = ModelInspector.Inspect(path, stateDir, model);
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or BundleFormatException
            or DeltaFormatException or ModelLoadException or Embeddings.Tables.TableFormatException or InvalidOperationException)
        {
            error.WriteLine($"recserve inspect: {e.Message}");
            return 1;
        }
        InspectionRenderer.Render(console, inspection);
        return 0;
    }
}
