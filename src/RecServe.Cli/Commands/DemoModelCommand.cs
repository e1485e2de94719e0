using RecServe.Embeddings.Tables;
using System.CommandLine;
using RecServe.Core.Bundles;
using RecServe.Import;
using RecServe.Import.Demo;

namespace RecServe.Cli.Commands;

/// <summary><c>recserve demo-model</c>: writes a synthetic bundle of any size.</summary>
internal static class DemoModelCommand
{
    public static Command Create()
    {
        var defaults = new DemoModelOptions();
        var rows = new Option<long>("--rows") { Description = "Rows per table (ids 0..rows-1).", Required = true };
        var dim = new Option<int>("--dim") { Description = "Values per row.", Required = true };
        var tables = new Option<int>("--tables") { Description = "Tables, one sparse feature each (f_0, f_1, ...).", Required = true };
        var output = new Option<string>("--out") { Description = "The bundle version folder to create, e.g. models/demo/1; must not exist.", Required = true };
        var dtype = new Option<string>("--dtype") { Description = "Row storage: fp32, fp16 or int8.", DefaultValueFactory = _ => "fp32" };
        dtype.AcceptOnlyFromAmong("fp32", "fp16", "int8");
        var bag = new Option<int>("--bag") { Description = "max_ids_per_row of every feature.", DefaultValueFactory = _ => defaults.Bag };
        var dense = new Option<int>("--dense") { Description = "Width of the dense input 'dense'; 0 for none.", DefaultValueFactory = _ => defaults.Dense };
        var hidden = new Option<string>("--hidden")
        {
            Description = "Units of each hidden layer of the dense network, comma-separated (e.g. 1024,1024,512,256).",
            DefaultValueFactory = _ => string.Join(',', defaults.Hidden),
        };
        var bottom = new Option<string>("--bottom")
        {
            Description = "Units of each layer of a bottom MLP over the dense input, comma-separated (MLPerf DLRMv2: 512,256,128); none by default.",
            DefaultValueFactory = _ => "",
        };
        var crossLayers = new Option<int>("--cross-layers")
        {
            Description = "DCNv2 cross layers between the interaction and the top MLP (MLPerf DLRMv2: 3).",
            DefaultValueFactory = _ => defaults.CrossLayers,
        };
        var crossRank = new Option<int>("--cross-rank")
        {
            Description = "Rank of each cross layer's weight; 0 for full rank.",
            DefaultValueFactory = _ => defaults.CrossRank,
        };
        var seed = new Option<int>("--seed") { Description = "Seed of rows and weights.", DefaultValueFactory = _ => defaults.Seed };
        var tier = new Option<string>("--tier") { Description = "Residency of the tables: mapped or memory.", DefaultValueFactory = _ => BundleFormat.ResidencyMapped };
        tier.AcceptOnlyFromAmong(BundleFormat.ResidencyMapped, BundleFormat.ResidencyMemory);
        var cacheBytes = new Option<long>("--cache-bytes") { Description = "Hot-row cache budget per table, in bytes; 0 for none.", DefaultValueFactory = _ => 0 };
        var hashIndex = new Option<bool>("--hash-index")
        {
            Description = "Write the hash index instead of the dense key-range index (table format version 1, for older servers and comparisons).",
        };

        var command = new Command("demo-model",
            "Write a synthetic bundle: random tables, sum-pooled features f_0.., a dense input and a small dense network.\n" +
            "Rows stream to disk, so tables larger than memory can be written.\n\n" +
            "Examples:\n" +
            "  recserve demo-model --rows 1000000 --dim 32 --tables 8 --out models/demo/1\n" +
            "  recserve demo-model --rows 10000000 --dim 64 --tables 1 --dtype int8 --cache-bytes 268435456 --out models/big/1\n" +
            "  recserve demo-model --rows 100000 --dim 64 --tables 26 --hidden 1024,1024,512,256 --out models/mlp/1\n" +
            "  recserve demo-model --rows 10000 --dim 128 --tables 26 --bottom 512,256,128 --cross-layers 3 --cross-rank 512 \\\n" +
            "    --hidden 1024,1024,512,256 --out models/dlrmv2/1    (the dense network of MLPerf's DLRMv2)")
        {
            rows, dim, tables, output, dtype, bag, dense, hidden, bottom, crossLayers, crossRank, seed, tier, cacheBytes, hashIndex,
        };
        command.SetAction(parse =>
        {
            if (!TryParseLayers(parse.GetValue(hidden)!, out var layers))
            {
                Console.Error.WriteLine($"recserve demo-model: --hidden '{parse.GetValue(hidden)}' is not a comma-separated list of positive layer widths");
                return 1;
            }
            var bottomText = parse.GetValue(bottom)!;
            var bottomLayers = Array.Empty<int>();
            if (bottomText.Length > 0 && !TryParseLayers(bottomText, out bottomLayers))
            {
                Console.Error.WriteLine($"recserve demo-model: --bottom '{bottomText}' is not a comma-separated list of positive layer widths");
                return 1;
            }
            var options = new DemoModelOptions
            {
                Rows = parse.GetValue(rows),
                Dim = parse.GetValue(dim),
                Tables = parse.GetValue(tables),
                Bag = parse.GetValue(bag),
                Dense = parse.GetValue(dense),
                Hidden = layers,
                Bottom = bottomLayers,
                CrossLayers = parse.GetValue(crossLayers),
                CrossRank = parse.GetValue(crossRank),
                Seed = parse.GetValue(seed),
                TableDataType = TableDtypes.Parse(parse.GetValue(dtype)!),
                Residency = parse.GetValue(tier)!,
                CacheBytes = parse.GetValue(cacheBytes),
                HashIndex = parse.GetValue(hashIndex),
                Progress = ConsoleProgress.ForConsole(),
            };
            var folder = parse.GetValue(output)!;
            try
            {
                var manifest = DemoModelWriter.Write(folder, options);
                Console.WriteLine(
                    $"wrote {folder}: {manifest.Tables.Count} table(s) of {options.Rows:N0} x {options.Dim} {DataTypeNames.ToName(options.TableDataType)}, " +
                    $"features {string.Join(", ", manifest.SparseFeatures.Select(f => f.Name))} (sum, up to {options.Bag} ids)" +
                    (options.Dense > 0 ? $", dense [{options.Dense}]" : ""));
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"recserve demo-model: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    private static bool TryParseLayers(string text, out int[] layers)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        layers = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out layers[i]) || layers[i] <= 0)
            {
                return false;
            }
        }
        return parts.Length > 0;
    }
}
