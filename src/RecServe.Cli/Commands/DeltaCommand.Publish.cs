using System.CommandLine;
using System.Diagnostics;
using RecServe.Embeddings.Deltas;
using RecServe.Embeddings.Deltas.Streaming;
using RecServe.Embeddings.Redis.Streams;
using StackExchange.Redis;

namespace RecServe.Cli.Commands;

// publish: a delta file into a model's Redis stream, for every replica to apply (docs/DELTA.md, "Streaming").
internal static partial class DeltaCommand
{
    private static Command Publish()
    {
        var file = new Argument<string>("file") { Description = "The delta file (validated before anything is written)." };
        var redis = new Option<string>("--redis") { Description = "Redis holding the streams: host:port[,password=...] (or the password in RECSERVE_DELTA_STREAM_PASSWORD).", Required = true };
        var model = new Option<string>("--model") { Description = "Model name: the stream is recserve:deltas:<model>.", Required = true };
        var stream = new Option<string?>("--stream") { Description = "Stream key instead of recserve:deltas:<model>." };
        var version = new Option<long>("--version") { Description = "The bundle version the delta is for (seqs count per version): other versions skip it. 0: every version that reads it applies it.", DefaultValueFactory = _ => 0 };
        var partBytes = new Option<int>("--part-bytes") { Description = "Most bytes of the file per stream entry.", DefaultValueFactory = _ => DeltaStreamPart.DefaultPartBytes };
        var command = new Command("publish",
            "Write a delta file to a model's Redis stream: split into checksummed entries of bounded size, all added in one transaction.\n\n" +
            "Examples:\n" +
            "  recserve delta publish models/dlrm/3/deltas/7.delta --redis 10.0.0.1:6379 --model dlrm --version 3\n" +
            "  recserve delta publish 8.delta --redis 10.0.0.1:6379,password=secret --model dlrm --version 3 --part-bytes 262144")
            { file, redis, model, version, stream, partBytes };
        command.SetAction(async (parse, cancellation) =>
        {
            try
            {
                return await RunPublishAsync(parse.GetValue(file)!, parse.GetValue(redis)!, parse.GetValue(model)!, parse.GetValue(stream),
                    parse.GetValue(partBytes), parse.GetValue(version));
            }
            catch (Exception e) when (e is DeltaFormatException or ArgumentException or IOException or RedisException)
            {
                Console.Error.WriteLine($"recserve delta publish: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    private static async Task<int> RunPublishAsync(string path, string redis, string model, string? streamKey, int partBytes, long version)
    {
        if (version < 0)
        {
            throw new ArgumentException($"--version is {version}; give a bundle version (1 or more), or 0 for any");
        }
        if (partBytes < 1024)
        {
            throw new ArgumentException($"--part-bytes is {partBytes}; give at least 1024");
        }
        var settings = RedisDeltaStreamSettings.Parse(redis);
        var key = string.IsNullOrEmpty(streamKey) ? settings.KeyFor(model) : streamKey;
        var bytes = File.ReadAllBytes(path);
        // The whole file is checked first: a delta that would be refused by every replica is never published.
        var delta = DeltaFile.Parse(bytes, path);
        var options = ConfigurationOptions.Parse(settings.Endpoint);
        options.Password = settings.Password;
        options.SyncTimeout = options.AsyncTimeout = 60_000;
        await using var connection = await ConnectionMultiplexer.ConnectAsync(options);
        var clock = Stopwatch.StartNew();
        var interactive = !Console.IsOutputRedirected;
        var progress = new InlineProgress<(int Done, int Parts)>(p =>
        {
            var line = p.Done < p.Parts ? $"seq {delta.Seq}: {p.Done + 1}/{p.Parts} parts queued" : $"seq {delta.Seq}: {p.Parts}/{p.Parts} parts committed";
            if (interactive)
            {
                Console.Write($"\r{line}");
            }
            else if (p.Done == p.Parts)
            {
                Console.WriteLine(line);
            }
        });
        var ids = await RedisDeltaPublisher.PublishAsync(connection.GetDatabase(), key, delta, bytes, DateTimeOffset.UtcNow, partBytes, progress, version);
        if (interactive)
        {
            Console.WriteLine();
        }
        var target = version > 0 ? $"version {version}" : "every version";
        Console.WriteLine($"published seq {delta.Seq} for {target} ({bytes.Length:N0} bytes, {delta.RecordCount:N0} records) to {key} on {settings.Endpoint} as {ids.Count} entries {ids[0]}..{ids[^1]} in {clock.Elapsed.TotalMilliseconds:F0} ms");
        return 0;
    }

    // Reports on the caller's thread, in order (Progress<T> would post to the thread pool).
    private sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
