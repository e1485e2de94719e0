using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using RecServe.Cli.Bench;
using RecServe.Cli.Bench.Load;
using RecServe.Cli.Bench.Requests;
using RecServe.Cli.Bench.Results;
using RecServe.Cli.Bench.Targets;
using RecServe.Core.Errors;
using RecServe.Runtime;

namespace RecServe.Cli.Commands;

/// <summary><c>recserve bench</c>: a load generator for RecServe and any TF-Serving or KServe v2 server.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var requestDefaults = new RequestSettings();
        var loadDefaults = new LoadSettings();
        var targetDefaults = new TargetSettings();

        var api = new Option<string>("--api") { Description = "Protocol: grpc and rest (TF-Serving), kserve-grpc and kserve-rest (KServe v2 / Triton).", DefaultValueFactory = _ => "grpc" };
        api.AcceptOnlyFromAmong(BenchApis.Names);
        var target = new Option<string?>("--target") { Description = "Server as host:port or an http(s) URL; default 127.0.0.1 on the API's usual port (8500, 8501, 8001, 8000)." };
        var model = new Option<string?>("--model") { Description = "Model name (required unless --in-process, where it defaults to the folder name)." };
        var version = new Option<long?>("--version") { Description = "Model version; default: the one the server picks (in process: the highest)." };
        var inProcess = new Option<bool>("--in-process") { Description = "Load the model here and call it directly, no server: the ceiling server figures are compared with." };
        var bag = new Option<int?>("--bag") { Description = "Ids per row of id inputs with a dynamic bag dimension (a bundle's sparse features); default: the feature's max_ids_per_row in process, else 1." };
        var intraOp = new Option<int>("--intra_op_threads") { Description = "With --in-process: ONNX Runtime threads per operator, as given to the server; 0 = one per CPU this process may use." };
        var interOp = new Option<int>("--inter_op_threads") { Description = "With --in-process: ONNX Runtime threads across operators, as given to the server; 0 = automatic." };
        var spinning = new Option<bool>("--allow_spinning") { Description = "With --in-process: let ONNX Runtime's threads spin while idle, as given to the server." };
        var basePath = new Option<string?>("--model_base_path") { Description = "With --in-process: the model folder holding version sub-folders (1/, 2/, ...)." };
        var connections = new Option<int>("--connections") { Description = "gRPC channels (HTTP/2 connections) the workers share.", DefaultValueFactory = _ => targetDefaults.Connections };
        var timeout = new Option<double>("--timeout") { Description = "Seconds before a request counts as failed.", DefaultValueFactory = _ => targetDefaults.Timeout.TotalSeconds };

        var batch = new Option<int>("--batch") { Description = "Rows per generated request.", DefaultValueFactory = _ => requestDefaults.Batch };
        var pool = new Option<int>("--pool") { Description = "Distinct requests generated and encoded before the run, then sent in turn.", DefaultValueFactory = _ => requestDefaults.PoolSize };
        var zipf = new Option<double>("--zipf") { Description = "Zipf exponent of integer (id) inputs.", DefaultValueFactory = _ => requestDefaults.ZipfExponent };
        var idSpace = new Option<long>("--id-space") { Description = "Integer inputs draw ids from [0, N) unless --id-max names them.", DefaultValueFactory = _ => requestDefaults.IdSpace };
        var idMax = new Option<string[]>("--id-max") { Description = "Per-input id ranges, e.g. cat_0=1000,cat_1=500 (an embedding table's size); repeatable.", AllowMultipleArgumentsPerToken = true };
        var seed = new Option<int>("--seed") { Description = "Seed of the request generator.", DefaultValueFactory = _ => requestDefaults.Seed };
        var requests = new Option<string?>("--requests") { Description = "Send the TF-Serving JSON predict bodies in this file (one per line, or a JSON array) instead of generated ones." };

        var concurrency = new Option<int>("--concurrency") { Description = "Closed loop: workers sending back to back.", DefaultValueFactory = _ => loadDefaults.Concurrency };
        var rate = new Option<double?>("--rate") { Description = "Open loop: requests per second on a fixed schedule; latency counts from each intended send time." };
        var maxInFlight = new Option<int>("--max-in-flight") { Description = "Open loop: most requests outstanding; sends due past it are dropped and counted.", DefaultValueFactory = _ => loadDefaults.MaxInFlight };
        var warmup = new Option<double>("--warmup") { Description = "Seconds of load first, not measured.", DefaultValueFactory = _ => loadDefaults.Warmup.TotalSeconds };
        var intervalLog = new Option<string?>("--interval-log") { Description = "Write one JSON line per --interval-seconds of the measured time (answers, rate, errors, p50/p99/p99.9/max): how a long run's tail moves." };
        var intervalSeconds = new Option<double>("--interval-seconds") { Description = "Period of one --interval-log line.", DefaultValueFactory = _ => 60 };
        var duration = new Option<double>("--duration") { Description = "Measured seconds.", DefaultValueFactory = _ => loadDefaults.Duration.TotalSeconds };
        var count = new Option<long>("--count") { Description = "Stop after this many measured requests; 0 = no limit.", DefaultValueFactory = _ => loadDefaults.MaxRequests };
        var json = new Option<string?>("--json") { Description = "Also write the results to this file as JSON." };
        var serverPid = new Option<int?>("--server-pid")
        {
            Description = "Process id of the server under load: report its CPU time per measured request (Linux), the figure " +
                "that holds on a busy machine. --in-process reports this process's own.",
        };

        var command = new Command("bench",
            "Load-test a model server (RecServe, TF-Serving, KServe v2 / Triton) or the model in process, and report\n" +
            "throughput and latency percentiles (HdrHistogram).\n\n" +
            "Examples:\n" +
            "  recserve bench --api grpc --target 127.0.0.1:8500 --model dlrm --batch 256 --concurrency 4 --duration 10\n" +
            "  recserve bench --api rest --model dlrm --rate 200 --duration 30 --json rest.json\n" +
            "  recserve bench --model dlrm --rate 150 --duration 1200 --interval-log soak.jsonl --interval-seconds 60\n" +
            "  recserve bench --in-process --model_base_path examples/models/dlrm --batch 256 --concurrency 4\n" +
            "  recserve bench --model dlrm --id-max cat_0=1000,cat_1=500,cat_2=200,cat_3=100 --zipf 1.05")
        {
            api, target, model, version, inProcess, basePath, intraOp, interOp, spinning, connections, timeout,
            batch, bag, pool, zipf, idSpace, idMax, seed, requests,
            concurrency, rate, maxInFlight, warmup, duration, count, json, serverPid, intervalLog, intervalSeconds,
        };
        command.Subcommands.Add(UpdateBenchCommand.Create());
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                var apiValue = parse.GetValue(inProcess) ? BenchApi.InProcess : BenchApis.Parse(parse.GetValue(api)!);
                var settings = new BenchSettings
                {
                    Target = new TargetSettings
                    {
                        Api = apiValue,
                        Address = TargetAddress.Parse(parse.GetValue(target), apiValue.DefaultPort()),
                        Model = ModelName(parse.GetValue(model), apiValue, parse.GetValue(basePath)),
                        Version = parse.GetValue(version),
                        ModelBasePath = parse.GetValue(basePath),
                        Engine = new RecServe.Runtime.Onnx.OnnxModelOptions { IntraOpThreads = parse.GetValue(intraOp), InterOpThreads = parse.GetValue(interOp), AllowSpinning = parse.GetValue(spinning) },
                        Connections = Positive(parse.GetValue(connections), "--connections"),
                        Timeout = Seconds(parse.GetValue(timeout), "--timeout"),
                    },
                    Requests = new RequestSettings
                    {
                        Batch = Positive(parse.GetValue(batch), "--batch"),
                        PoolSize = Positive(parse.GetValue(pool), "--pool"),
                        Bag = parse.GetValue(bag) is { } b ? Positive(b, "--bag") : null,
                        ZipfExponent = parse.GetValue(zipf),
                        IdSpace = Positive(parse.GetValue(idSpace), "--id-space"),
                        IdMax = IdRanges(parse.GetValue(idMax)),
                        Seed = parse.GetValue(seed),
                        RequestsFile = parse.GetValue(requests),
                    },
                    Load = new LoadSettings
                    {
                        Concurrency = Positive(parse.GetValue(concurrency), "--concurrency"),
                        Rate = parse.GetValue(rate) is { } r ? PositiveRate(r) : null,
                        MaxInFlight = Positive(parse.GetValue(maxInFlight), "--max-in-flight"),
                        Warmup = Seconds(parse.GetValue(warmup), "--warmup", allowZero: true),
                        Duration = Seconds(parse.GetValue(duration), "--duration"),
                        MaxRequests = parse.GetValue(count) >= 0 ? parse.GetValue(count) : throw new ArgumentException("--count must be 0 or more"),
                    },
                    JsonPath = parse.GetValue(json),
                    ServerProcessId = parse.GetValue(serverPid),
                    IntervalLogPath = parse.GetValue(intervalLog),
                    IntervalSeconds = parse.GetValue(intervalSeconds),
                };
                // The progress line rewrites itself with \r, which only makes sense on a terminal.
                var progress = Console.IsErrorRedirected ? null : Console.Error;
                var report = await BenchRun.RunAsync(settings, progress, cancellationToken).ConfigureAwait(false);
                if (Console.IsOutputRedirected)
                {
                    ReportTable.Write(Console.Out, report);
                }
                else
                {
                    ReportConsoleTable.Render(Spectre.Console.AnsiConsole.Console, report);
                }
                if (settings.JsonPath is not null)
                {
                    ReportJson.WriteFile(settings.JsonPath, report);
                }
                return report.Requests > 0 ? 0 : 1;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or JsonException
                or RpcException or HttpRequestException or ServingException or ModelLoadException or InvalidProtocolBufferException)
            {
                Console.Error.WriteLine(e switch
                {
                    // Say which server failed: "Unavailable: Error connecting to subchannel" alone does not.
                    RpcException rpc => $"recserve bench: {parse.GetValue(target) ?? "the server"} answered {rpc.StatusCode}: {rpc.Status.Detail}",
                    HttpRequestException http => $"recserve bench: {parse.GetValue(target) ?? "the server"}: {http.Message}",
                    _ => $"recserve bench: {e.Message}",
                });
                return 2;
            }
        });
        return command;
    }

    private static string ModelName(string? model, BenchApi api, string? basePath)
    {
        if (!string.IsNullOrEmpty(model))
        {
            return model;
        }
        if (api == BenchApi.InProcess && basePath is not null)
        {
            return Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(basePath)));
        }
        throw new ArgumentException("--model is required (the model name the server serves)");
    }

    private static Dictionary<string, long> IdRanges(string[]? values)
    {
        var ranges = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var value in values ?? [])
        {
            foreach (var pair in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var equals = pair.IndexOf('=');
                if (equals <= 0 || !long.TryParse(pair.AsSpan(equals + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var max) || max < 1)
                {
                    throw new ArgumentException($"--id-max '{pair}' is not NAME=N with N a positive integer");
                }
                ranges[pair[..equals]] = max;
            }
        }
        return ranges;
    }

    /// <summary>The value of a flag that must be positive.</summary>
    internal static T Positive<T>(T value, string option) where T : System.Numerics.INumber<T> =>
        value > T.Zero ? value : throw new ArgumentException($"{option} must be positive, not {value}");

    private static double PositiveRate(double rate) =>
        rate > 0 && double.IsFinite(rate) ? rate : throw new ArgumentException($"--rate must be a positive number of requests per second, not {rate}");

    /// <summary>A flag's seconds as a time span; zero only where <paramref name="allowZero"/>.</summary>
    internal static TimeSpan Seconds(double seconds, string option, bool allowZero = false) =>
        double.IsFinite(seconds) && (seconds > 0 || (allowZero && seconds == 0))
            ? TimeSpan.FromSeconds(seconds)
            : throw new ArgumentException($"{option} must be a {(allowZero ? "non-negative" : "positive")} number of seconds, not {seconds}");
}
