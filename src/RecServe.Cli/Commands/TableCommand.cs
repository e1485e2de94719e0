using System.CommandLine;
using System.Diagnostics;
using RecServe.Core.Bundles;
using RecServe.Embeddings.Redis;
using RecServe.Embeddings.Tables;
using StackExchange.Redis;

namespace RecServe.Cli.Commands;

/// <summary><c>recserve table push</c>: copy a bundle's table into a Redis Cluster for the "redis" tier (docs/SCALE.md).</summary>
internal static class TableCommand
{
    public static Command Create()
    {
        var command = new Command("table",
            "Embedding tables outside the bundle folder.\n\n" +
            "Examples:\n" +
            "  recserve table push models/dlrm/1 --table emb_0 --redis 10.0.0.1:6379,10.0.0.2:6379\n" +
            "  RECSERVE_REDIS_PASSWORD=... recserve table push models/dlrm/1 --table emb_0 --redis 10.0.0.1:6379 --password-env RECSERVE_REDIS_PASSWORD --tls");
        command.Subcommands.Add(Push());
        return command;
    }

    private static Command Push()
    {
        var bundle = new Argument<string>("bundle") { Description = "Bundle version folder holding the table." };
        var table = new Option<string>("--table") { Description = "Table name.", Required = true };
        var redis = new Option<string>("--redis") { Description = "Cluster seed nodes, host:port,...", Required = true };
        var passwordEnv = new Option<string?>("--password-env") { Description = "Environment variable holding the cluster password (a password on the command line shows in ps)." };
        var tls = new Option<bool>("--tls") { Description = "Connect with TLS." };
        var layout = new Option<string>("--layout") { Description = "hashes (one hash per id group, HMGET; the default, faster and smaller in docs/SCALE.md) or keys (one key per id, MGET).", DefaultValueFactory = _ => "hashes" };
        var groups = new Option<int>("--groups") { Description = "Id groups (hash tags): commands per batch vs spread over shards.", DefaultValueFactory = _ => RedisTableKeys.DefaultGroups };
        var command = new Command("push",
            "Stream a table into a Redis Cluster in bounded chunks, showing rows pushed and rows/s; resumes an interrupted push and\n" +
            "writes the complete marker last.\n\n" +
            "Examples:\n" +
            "  recserve table push models/dlrm/1 --table emb_0 --redis 10.0.0.1:6379,10.0.0.2:6379\n" +
            "  recserve table push models/dlrm/1 --table emb_0 --redis 10.0.0.1:6379 --layout keys --groups 4096")
            { bundle, table, redis, passwordEnv, tls, layout, groups };
        command.SetAction(async (parse, cancellation) =>
        {
            try
            {
                return await RunPushAsync(parse.GetValue(bundle)!, parse.GetValue(table)!, parse.GetValue(redis)!, parse.GetValue(passwordEnv),
                    parse.GetValue(tls), parse.GetValue(layout)!, parse.GetValue(groups), cancellation);
            }
            catch (Exception e) when (e is BundleFormatException or TableFormatException or ArgumentException or InvalidOperationException
                or RedisException or OperationCanceledException)
            {
                Console.Error.WriteLine($"recserve table push: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    private static async Task<int> RunPushAsync(string bundle, string tableName, string endpoints, string? passwordEnv, bool tls,
        string layoutName, int groups, CancellationToken cancellation)
    {
        if (!Enum.TryParse<RedisRowLayout>(layoutName, ignoreCase: true, out var layout))
        {
            throw new ArgumentException($"--layout is '{layoutName}', expected keys or hashes");
        }
        var password = passwordEnv is null ? null
            : Environment.GetEnvironmentVariable(passwordEnv) ?? throw new ArgumentException($"--password-env names {passwordEnv}, which is not set");
        var manifest = BundleManifestFile.Read(bundle);
        var entry = manifest.Tables.Find(t => t.Name == tableName)
            ?? throw new ArgumentException($"the bundle has no table '{tableName}' (it has {string.Join(", ", manifest.Tables.Select(t => t.Name))})");
        var folder = Path.Combine(bundle, entry.Path);
        using var table = EmbeddingTable.Open(folder);
        await using var connection = await RedisConnector.ConnectAsync(RedisClusterSettings.FromEndpointList(endpoints, password, tls) with
        {
            Timeout = TimeSpan.FromSeconds(5),
        });
        var pusher = new RedisTablePusher(connection, table, folder, layout, groups);
        var clock = Stopwatch.StartNew();
        var result = await pusher.PushAsync(new PushProgressLine(Console.Out, !Console.IsOutputRedirected, clock), cancellation);
        Console.WriteLine(result.AlreadyComplete
            ? $"table '{tableName}' (content {pusher.Keys.Table.ContentHash}) is already complete in the cluster: {result.Marker}"
            : $"pushed table '{tableName}' (content {pusher.Keys.Table.ContentHash}): {result.Marker.Rows:N0} rows" +
              (result.ResumedFromRows > 0 ? $", resumed after {result.ResumedFromRows:N0}" : "") + $", {clock.Elapsed.TotalSeconds:F1} s; marker {pusher.Keys.CompleteKey}");
        return 0;
    }
}
