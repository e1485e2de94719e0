using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text.Json;
using RecServe.Server.Dashboard;

namespace RecServe.Cli.Bench.Update;

/// <summary>
/// A <c>recserve serve</c> child process started from this very binary on 127.0.0.1 and free ports, its output
/// copied to a log file, with the status and metrics reads the update bench polls.
/// </summary>
internal sealed class BenchServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly HttpClient _http;
    private bool _logClosed;

    private BenchServerProcess(Process process, StreamWriter log, int grpcPort, int restPort)
    {
        _process = process;
        _log = log;
        GrpcPort = grpcPort;
        RestPort = restPort;
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{restPort}"), Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>The server's process id (its memory is read from /proc).</summary>
    public int ProcessId => _process.Id;

    /// <summary>The gRPC port.</summary>
    public int GrpcPort { get; }

    /// <summary>The REST port.</summary>
    public int RestPort { get; }

    /// <summary>Whether the server has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Starts <c>recserve serve</c> with <paramref name="serveArgs"/> after the address and port flags; output goes to <paramref name="logPath"/>.</summary>
    public static BenchServerProcess Start(IEnumerable<string> serveArgs, string logPath)
    {
        var (grpcPort, restPort) = (FreePort(), FreePort());
        var info = SelfCommand();
        foreach (var arg in (string[])["serve", "--bind_address", "127.0.0.1", "--port", Text(grpcPort), "--rest_api_port", Text(restPort)])
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var arg in serveArgs)
        {
            info.ArgumentList.Add(arg);
        }
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        var log = new StreamWriter(logPath) { AutoFlush = true };
        var process = Process.Start(info) ?? throw new InvalidOperationException($"{info.FileName} did not start");
        var server = new BenchServerProcess(process, log, grpcPort, restPort);
        process.OutputDataReceived += (_, e) => server.WriteLog(e.Data);
        process.ErrorDataReceived += (_, e) => server.WriteLog(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>
    /// The state of each version of <paramref name="model"/> (<c>AVAILABLE</c>, <c>LOADING</c>, ...) from
    /// <c>GET /v1/models/{model}</c>; empty while the server cannot answer.
    /// </summary>
    public async Task<Dictionary<long, string>> VersionStatesAsync(string model, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _http.GetAsync("/v1/models/" + Uri.EscapeDataString(model), cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return [];
            }
            return ParseVersionStates(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (HttpRequestException)
        {
            return [];
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return []; // the status call timed out: the server is busy, ask again
        }
    }

    /// <summary>The value of <paramref name="metric"/> for <paramref name="model"/> and <paramref name="version"/>, or null when the server does not report it (yet).</summary>
    public async Task<double?> MetricAsync(string metric, string model, long version, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await _http.GetStringAsync("/monitoring/prometheus/metrics", cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        var versionLabel = Text(version);
        foreach (var sample in PrometheusText.Parse(text))
        {
            if (sample.Name == metric && sample.Label("model") == model && sample.Label("version") == versionLabel)
            {
                return sample.Value;
            }
        }
        return null;
    }

    /// <summary>The version states in a TF-Serving <c>GetModelStatusResponse</c> as REST writes it.</summary>
    public static Dictionary<long, string> ParseVersionStates(string json)
    {
        var states = new Dictionary<long, string>();
        using var document = JsonDocument.Parse(json);
        if (!document.RootElement.TryGetProperty("model_version_status", out var versions))
        {
            return states;
        }
        foreach (var version in versions.EnumerateArray())
        {
            // proto3 JSON writes int64 as a string and leaves defaults out (version 0, state UNKNOWN).
            var number = version.TryGetProperty("version", out var v)
                ? v.ValueKind == JsonValueKind.String ? long.Parse(v.GetString()!, CultureInfo.InvariantCulture) : v.GetInt64()
                : 0;
            states[number] = version.TryGetProperty("state", out var state) ? state.GetString() ?? "UNKNOWN" : "UNKNOWN";
        }
        return states;
    }

    /// <summary>Stops the server.</summary>
    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
        _http.Dispose();
        lock (_log)
        {
            _logClosed = true;
            _log.Dispose();
        }
    }

    // The server is this same program: the apphost itself, or `dotnet recserve.dll` when started that way.
    private static ProcessStartInfo SelfCommand()
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("the path of this program is unknown");
        if (!Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            return new ProcessStartInfo(self);
        }
        var info = new ProcessStartInfo(self);
        info.ArgumentList.Add(Assembly.GetEntryAssembly()?.Location ?? throw new InvalidOperationException("the entry assembly is unknown"));
        return info;
    }

    private void WriteLog(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_log)
        {
            if (!_logClosed)
            {
                _log.WriteLine(line);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
