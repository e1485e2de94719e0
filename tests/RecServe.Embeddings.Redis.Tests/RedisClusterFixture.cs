using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace RecServe.Embeddings.Redis.Tests;

/// <summary>
/// A real 3-master Redis Cluster from Debian's redis-server on free loopback ports, for the whole test collection.
/// Fails (never skips) when redis-server or redis-cli is missing: scripts/test.sh installs them. Masters can be
/// killed and restarted with their data (saved just before the kill), to test failure and recovery.
/// </summary>
public sealed class RedisClusterFixture : IAsyncLifetime
{
    private const int Masters = 3;
    private readonly string _root = Directory.CreateTempSubdirectory("recserve-redis-cluster-").FullName;
    private readonly Process?[] _servers = new Process?[Masters];

    public int[] Ports { get; } = new int[Masters];

    /// <summary>The seed list a tier is given.</summary>
    public string Endpoints => string.Join(',', Ports.Select(p => $"127.0.0.1:{p}"));

    public async Task InitializeAsync()
    {
        foreach (var tool in new[] { "redis-server", "redis-cli" })
        {
            if (FindOnPath(tool) is null)
            {
                throw new InvalidOperationException($"{tool} is not installed; the Redis Cluster tests need Debian's redis-server and redis-tools (scripts/test.sh installs them)");
            }
        }
        for (var i = 0; i < Masters; i++)
        {
            int port;
            do
            {
                port = FreePort();
            }
            while (Ports.Contains(port));
            Ports[i] = port;
            Start(i);
        }
        for (var i = 0; i < Masters; i++)
        {
            await WaitUntilAsync(() => Cli(Ports[i], "ping").Contains("PONG", StringComparison.Ordinal), $"redis-server on port {Ports[i]} to answer");
        }
        var create = Cli(Ports[0], ["--cluster", "create", .. Ports.Select(p => $"127.0.0.1:{p}"), "--cluster-replicas", "0", "--cluster-yes"]);
        if (!create.Contains("All 16384 slots covered", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"redis-cli --cluster create failed:\n{create}");
        }
        await WaitForClusterOkAsync();
    }

    /// <summary>Saves master <paramref name="index"/>'s data, then kills it (SIGKILL: no goodbye to the clients).</summary>
    public void KillMaster(int index)
    {
        Cli(Ports[index], "save");
        _servers[index]!.Kill();
        _servers[index]!.WaitForExit();
        _servers[index]!.Dispose();
        _servers[index] = null;
    }

    /// <summary>Starts master <paramref name="index"/> again on its port, with its node config and data.</summary>
    public async Task RestartMasterAsync(int index)
    {
        Start(index);
        await WaitUntilAsync(() => Cli(Ports[index], "ping").Contains("PONG", StringComparison.Ordinal), $"restarted redis-server on port {Ports[index]}");
        await WaitForClusterOkAsync();
    }

    /// <summary>Deletes every key on every master, so that a test starts from an empty cluster.</summary>
    public void FlushAll()
    {
        foreach (var port in Ports)
        {
            Cli(port, "flushall");
        }
    }

    public Task DisposeAsync()
    {
        foreach (var server in _servers)
        {
            if (server is { HasExited: false })
            {
                server.Kill();
                server.WaitForExit();
            }
            server?.Dispose();
        }
        Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }

    private void Start(int index)
    {
        var port = Ports[index];
        var dir = Directory.CreateDirectory(Path.Combine(_root, port.ToString(System.Globalization.CultureInfo.InvariantCulture))).FullName;
        // require-full-coverage no: the other masters keep serving their slots while one is down, which is what the
        // degrade mode relies on (docs/SCALE.md recommends the same in production).
        var start = new ProcessStartInfo("redis-server")
        {
            ArgumentList =
            {
                "--port", $"{port}", "--bind", "127.0.0.1", "--dir", dir, "--cluster-enabled", "yes",
                "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000", "--cluster-require-full-coverage", "no",
                "--save", "", "--appendonly", "no", "--protected-mode", "no", "--logfile", "redis.log",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _servers[index] = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
    }

    private async Task WaitForClusterOkAsync()
    {
        foreach (var port in Ports)
        {
            await WaitUntilAsync(() => Cli(port, "cluster", "info").Contains("cluster_state:ok", StringComparison.Ordinal), $"cluster_state:ok on port {port}");
        }
        // With require-full-coverage off the state is "ok" even while a node is still flagged failed; wait until every
        // node sees every other healthy again, so the next test starts on a whole cluster.
        foreach (var port in Ports)
        {
            await WaitUntilAsync(() => !Cli(port, "cluster", "nodes").Contains("fail", StringComparison.Ordinal), $"no failed node seen from port {port}");
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"gave up waiting for {what} after 30 s");
            }
            await Task.Delay(50);
        }
    }

    private static string Cli(int port, params string[] args)
    {
        var start = new ProcessStartInfo("redis-cli") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-p");
        start.ArgumentList.Add($"{port}");
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var cli = Process.Start(start)!;
        var output = cli.StandardOutput.ReadToEndAsync();
        var error = cli.StandardError.ReadToEnd();
        cli.WaitForExit();
        return output.Result + error;
    }

    // A free port whose cluster bus port (port + 10000) is free too.
    private static int FreePort()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            if (port + 10000 > 65535)
            {
                continue;
            }
            try
            {
                using var bus = new TcpListener(IPAddress.Loopback, port + 10000);
                bus.Start();
                return port;
            }
            catch (SocketException)
            {
            }
        }
    }

    private static string? FindOnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);
}

[CollectionDefinition(Name)]
public sealed class RedisClusterCollection : ICollectionFixture<RedisClusterFixture>
{
    public const string Name = "redis-cluster";
}
