using System.CommandLine;
using Grpc.Core;
using RecServe.Cli.Bench;
using RecServe.Cli.Bench.Update;
using RecServe.Core.Bundles;
using RecServe.Core.Errors;

namespace RecServe.Cli.Commands;

/// <summary><c>recserve bench update</c>: latency and memory of a served model while a new version goes live and a delta is applied.</summary>
internal static class UpdateBenchCommand
{
    public static Command Create()
    {
        var defaults = new UpdateBenchSettings { ResultsFolder = "." };
        var demoDefaults = new DemoBundleShape();
        var results = new Option<string>("--results") { Description = "Folder for summary.json, timeline.csv, server.csv (RSS and CPU), events.csv, latency.svg, server.log and the run's files (work/, emptied first).", Required = true };
        var model = new Option<string>("--model") { Description = "Model name to serve.", DefaultValueFactory = _ => defaults.Model };
        var bundle = new Option<string?>("--bundle") { Description = "A bundle version folder to serve (copied); default: a demo bundle written by the bench." };
        var rows = new Option<long>("--rows") { Description = "Demo bundle: rows per table.", DefaultValueFactory = _ => demoDefaults.Rows };
        var tables = new Option<int>("--tables") { Description = "Demo bundle: tables.", DefaultValueFactory = _ => demoDefaults.Tables };
        var tier = new Option<string>("--tier") { Description = "Demo bundle: table residency, mapped or memory.", DefaultValueFactory = _ => demoDefaults.Residency };
        tier.AcceptOnlyFromAmong(BundleFormat.ResidencyMapped, BundleFormat.ResidencyMemory);
        var deltaRows = new Option<long>("--delta-rows") { Description = "Rows the delta upserts.", DefaultValueFactory = _ => defaults.DeltaRows };
        var deltaTable = new Option<string?>("--delta-table") { Description = "Table the delta writes; default the first fp32 table." };
        var api = new Option<string>("--api") { Description = "Protocol of the load: grpc, rest, kserve-grpc, kserve-rest.", DefaultValueFactory = _ => "grpc" };
        api.AcceptOnlyFromAmong("grpc", "rest", "kserve-grpc", "kserve-rest");
        var rate = new Option<double>("--rate") { Description = "Open-loop requests per second (choose well below the closed-loop peak).", DefaultValueFactory = _ => defaults.Rate };
        var batch = new Option<int>("--batch") { Description = "Rows per request.", DefaultValueFactory = _ => defaults.Batch };
        var bag = new Option<int?>("--bag") { Description = "Ids per row of each sparse feature; default the feature's max_ids_per_row." };
        var warmup = new Option<double>("--warmup") { Description = "Seconds of load before measuring.", DefaultValueFactory = _ => defaults.Warmup.TotalSeconds };
        var steady = new Option<double>("--steady") { Description = "Measured seconds before the new version is copied in.", DefaultValueFactory = _ => defaults.Steady.TotalSeconds };
        var after = new Option<double>("--after") { Description = "Measured seconds after the new version is live and after the delta is applied.", DefaultValueFactory = _ => defaults.After.TotalSeconds };
        var eventTimeout = new Option<double>("--event-timeout") { Description = "Seconds to wait for the version to go live or the delta to apply.", DefaultValueFactory = _ => defaults.EventTimeout.TotalSeconds };
        var timeout = new Option<double>("--timeout") { Description = "Seconds before a request counts as failed.", DefaultValueFactory = _ => defaults.RequestTimeout.TotalSeconds };
        var noWarmup = new Option<bool>("--no-warmup-requests") { Description = "Do not record warm-up requests into the bundle (the new version goes live cold)." };
        var serveArgs = new Option<string?>("--serve-args") { Description = "More flags for recserve serve, space-separated, e.g. \"--intra_op_threads 1\"." };

        var command = new Command("update",
            "Open-loop load on a served model while (a) a full new version is copied in and goes live and (b) a delta is\n" +
            "applied to it. Prints p50/p99/p99.9 for the steady state and the windows after each event, failures by status,\n" +
            "the delta's apply rate and the server's RSS, and writes a plot of latency, RSS and CPU over time (latency.svg).\n\n" +
            "Examples:\n" +
            "  recserve bench update --results bench/results/update --rate 100 --batch 32")
        {
            results, model, bundle, rows, tables, tier, deltaRows, deltaTable, api, rate, batch, bag,
            warmup, steady, after, eventTimeout, timeout, noWarmup, serveArgs,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                var settings = new UpdateBenchSettings
                {
                    ResultsFolder = parse.GetValue(results)!,
                    Model = parse.GetValue(model)!,
                    Bundle = parse.GetValue(bundle),
                    Demo = new DemoBundleShape { Rows = BenchCommand.Positive(parse.GetValue(rows), "--rows"), Tables = BenchCommand.Positive(parse.GetValue(tables), "--tables"), Residency = parse.GetValue(tier)! },
                    DeltaRows = BenchCommand.Positive(parse.GetValue(deltaRows), "--delta-rows"),
                    DeltaTable = parse.GetValue(deltaTable),
                    Api = BenchApis.Parse(parse.GetValue(api)!),
                    Rate = BenchCommand.Positive(parse.GetValue(rate), "--rate"),
                    Batch = BenchCommand.Positive(parse.GetValue(batch), "--batch"),
                    Bag = parse.GetValue(bag) is { } b ? BenchCommand.Positive(b, "--bag") : null,
                    Warmup = BenchCommand.Seconds(parse.GetValue(warmup), "--warmup"),
                    Steady = BenchCommand.Seconds(parse.GetValue(steady), "--steady"),
                    After = BenchCommand.Seconds(parse.GetValue(after), "--after"),
                    EventTimeout = BenchCommand.Seconds(parse.GetValue(eventTimeout), "--event-timeout"),
                    RequestTimeout = BenchCommand.Seconds(parse.GetValue(timeout), "--timeout"),
                    WarmupRequests = !parse.GetValue(noWarmup),
                    ServeArgs = (parse.GetValue(serveArgs) ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries),
                };
                var report = await UpdateBenchRun.RunAsync(settings, Console.Error, cancellationToken).ConfigureAwait(false);
                UpdateReportTable.Write(Console.Out, report);
                Console.WriteLine($"results in {Path.GetFullPath(settings.ResultsFolder)} (plot: latency.svg)");
                return report.Errors == 0 ? 0 : 1;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or TimeoutException
                or RpcException or HttpRequestException or ServingException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"recserve bench update: {e.Message}");
                return 2;
            }
        });
        return command;
    }
}
