using System.Diagnostics;

namespace Integration.Tests;

/// <summary>
/// A real standalone redis-server on 127.0.0.1 and a free port, with an append-only file fsynced on every write in a
/// folder of its own, so that it can be killed (SIGKILL) and started again on the same port with its data. Fails
/// (never skips) when redis-server or redis-cli is missing.
/// </summary>
internal sealed class RedisServerProcess : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("recserve-redis-").FullName;
    private Process? _process;

    private RedisServerProcess(int port) => Port = port;

    public int Port { get; }

    /// <summary>host:port, as <c>--delta_stream_redis</c> and <c>--redis</c> take it.</summary>
    public string Endpoint => $"127.0.0.1:{Port}";

    public static async Task<RedisServerProcess> StartAsync()
    {
        var redis = new RedisServerProcess(ServerProcess.FreePort());
        await redis.RestartAsync();
        return redis;
    }

    /// <summary>Starts the server (again) on its port with its data folder and waits until it answers PING.</summary>
    public async Task RestartAsync()
    {
        var start = new ProcessStartInfo("redis-server")
        {
            ArgumentList =
            {
                "--port", $"{Port}", "--bind", "127.0.0.1", "--dir", _dir, "--appendonly", "yes", "--appendfsync", "always",
                "--save", "", "--protected-mode", "no", "--logfile", "redis.log",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        try
        {
            _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("redis-server is not installed; the delta stream tests need Debian's redis-server and redis-tools (scripts/test.sh installs them)", e);
        }
        await ServerProcess.WaitForAsync(() => Task.FromResult(Cli("ping").Contains("PONG", StringComparison.Ordinal)), TimeSpan.FromSeconds(30),
            $"redis-server on port {Port} to answer");
    }

    /// <summary>Kills the server without a chance to save (its append-only file already holds every write).</summary>
    public void Kill()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit();
        }
        _process?.Dispose();
        _process = null;
    }

    /// <summary>Runs redis-cli against the server and returns what it printed.</summary>
    public string Cli(params string[] args)
    {
        var start = new ProcessStartInfo("redis-cli") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-p");
        start.ArgumentList.Add($"{Port}");
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var cli = Process.Start(start) ?? throw new InvalidOperationException("redis-cli did not start");
        var output = cli.StandardOutput.ReadToEndAsync();
        var error = cli.StandardError.ReadToEnd();
        cli.WaitForExit();
        return output.Result + error;
    }

    public void Dispose()
    {
        Kill();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
