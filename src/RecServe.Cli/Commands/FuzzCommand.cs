using System.CommandLine;
using CsCheck;
using Grpc.Core;
using RecServe.Cli.Bench;
using RecServe.Cli.Bench.Targets;
using RecServe.Cli.Fuzz;

namespace RecServe.Cli.Commands;

/// <summary><c>recserve fuzz</c>: sends generated malformed requests to a running server and checks every answer.</summary>
internal static class FuzzCommand
{
    public static Command Create()
    {
        var defaults = new FuzzSettings();
        var api = new Option<string>("--api") { Description = "Protocol: grpc and rest (TF-Serving), kserve-grpc and kserve-rest (KServe v2).", DefaultValueFactory = _ => "grpc" };
        api.AcceptOnlyFromAmong(BenchApis.Names);
        var target = new Option<string?>("--target") { Description = "Server as host:port or an http(s) URL; default 127.0.0.1 on the API's usual port (8500, 8501, 8001, 8000)." };
        var model = new Option<string>("--model") { Description = "Model the requests are built for (its signature is read from the server).", Required = true };
        var count = new Option<long>("--count") { Description = "Generated requests to send.", DefaultValueFactory = _ => defaults.Count };
        var concurrency = new Option<int>("--concurrency") { Description = "Requests in flight at once.", DefaultValueFactory = _ => defaults.Concurrency };
        var seed = new Option<string?>("--seed") { Description = "CsCheck seed to start from, as a failing run prints it; default: random." };
        var timeout = new Option<double>("--timeout") { Description = "Seconds before an unanswered request counts as a failure.", DefaultValueFactory = _ => defaults.Timeout.TotalSeconds };

        var command = new Command("fuzz",
            "Send generated malformed requests (truncated and damaged protobuf, wrong wire types and lengths, shape and dtype\n" +
            "mismatches, bad JSON, bad base64, deep nesting, wrong content types and methods) and valid ones (NaN and\n" +
            "infinities included) to a running server. Every answer must be a client error or success, never a server\n" +
            "error or a dropped connection; a failure is shrunk to a small request and printed with its seed. Exit status\n" +
            "0 when every answer was right and valid requests are answered as before, 1 otherwise.\n\n" +
            "Examples:\n" +
            "  recserve fuzz --api grpc --target 127.0.0.1:8500 --model dlrm --count 100000\n" +
            "  recserve fuzz --api kserve-rest --target 127.0.0.1:8501 --model dlrm --seed 0N0XIzNsQ0O2")
        {
            api, target, model, count, concurrency, seed, timeout,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                var apiValue = BenchApis.Parse(parse.GetValue(api)!);
                var settings = new FuzzSettings
                {
                    Api = apiValue,
                    Address = TargetAddress.Parse(parse.GetValue(target), apiValue.DefaultPort()),
                    Model = parse.GetValue(model)!,
                    Count = parse.GetValue(count) > 0 ? parse.GetValue(count) : throw new ArgumentException("--count must be positive"),
                    Concurrency = parse.GetValue(concurrency) > 0 ? parse.GetValue(concurrency) : throw new ArgumentException("--concurrency must be positive"),
                    Seed = parse.GetValue(seed),
                    Timeout = parse.GetValue(timeout) is > 0 and var t && double.IsFinite(t) ? TimeSpan.FromSeconds(t) : throw new ArgumentException("--timeout must be a positive number of seconds"),
                };
                var report = await FuzzRun.RunAsync(settings, Console.Error.WriteLine, cancellationToken).ConfigureAwait(false);
                Console.WriteLine(report);
                return report.GoodAnswersUnchanged ? 0 : 1;
            }
            catch (CsCheckException e)
            {
                Console.Error.WriteLine($"recserve fuzz: a request was answered wrongly\n{e.Message}\n{e.InnerException?.Message}");
                return 1;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or RpcException or HttpRequestException)
            {
                Console.Error.WriteLine($"recserve fuzz: {e.Message}");
                return 2;
            }
        });
        return command;
    }
}
