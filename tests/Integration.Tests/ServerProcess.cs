using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Grpc.Net.Client;
using Tensorflow.Serving;

namespace Integration.Tests;

/// <summary>
/// The real <c>recserve</c> binary started as a child process on 127.0.0.1 and free ports, with clients for
/// both APIs. Starting fails (the test fails, never skips) when the binary is missing.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServerProcess(Process process, int grpcPort, int restPort)
    {
        _process = process;
        GrpcPort = grpcPort;
        RestPort = restPort;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{restPort}"), Timeout = TimeSpan.FromSeconds(60) };
        Channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}", new GrpcChannelOptions { MaxReceiveMessageSize = 256 * 1024 * 1024, MaxSendMessageSize = 256 * 1024 * 1024 });
        Predictions = new PredictionService.PredictionServiceClient(Channel);
        Models = new ModelService.ModelServiceClient(Channel);
    }

    public int GrpcPort { get; }

    /// <summary>The server's process id (for reading its memory from /proc).</summary>
    public int ProcessId => _process.Id;

    /// <summary>Whether the server has exited (crashed, when a test did not stop it).</summary>
    public bool HasExited => _process.HasExited;

    public int RestPort { get; }

    public HttpClient Http { get; }

    public GrpcChannel Channel { get; }

    public PredictionService.PredictionServiceClient Predictions { get; }

    public ModelService.ModelServiceClient Models { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static string BinaryPath
    {
        get
        {
            var besideTests = Path.Combine(AppContext.BaseDirectory, "recserve.dll");
            if (File.Exists(besideTests))
            {
                return besideTests;
            }
            throw new FileNotFoundException($"the server binary {besideTests} is missing; build src/RecServe.Cli first");
        }
    }

    /// <summary>Starts the server with <paramref name="args"/> after <c>serve</c> and waits until it is ready.</summary>
    public static async Task<ServerProcess> StartAsync(params string[] args)
    {
        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var (grpcPort, restPort) = (FreePort(), FreePort());
            var server = Launch(args, grpcPort, restPort);
            try
            {
                await server.WaitUntilReadyAsync(TimeSpan.FromSeconds(90));
                return server;
            }
            catch (Exception e)
            {
                last = e;
                await server.DisposeAsync();
                // Another process may have taken a port between probing and binding: try new ones.
                if (!server.Output.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
                {
                    throw;
                }
            }
        }
        throw new InvalidOperationException("the server did not start", last);
    }

    private static ServerProcess Launch(string[] args, int grpcPort, int restPort)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(BinaryPath);
        info.ArgumentList.Add("serve");
        info.ArgumentList.Add("--bind_address");
        info.ArgumentList.Add("127.0.0.1");
        info.ArgumentList.Add("--port");
        info.ArgumentList.Add(grpcPort.ToString());
        info.ArgumentList.Add("--rest_api_port");
        info.ArgumentList.Add(restPort.ToString());
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        return new ServerProcess(process, grpcPort, restPort);
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _process.OutputDataReceived += (_, e) => OnLine(e.Data, ready);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data, ready);
        _process.EnableRaisingEvents = true;
        _process.Exited += (_, _) =>
        {
            // The exit can be seen before the last lines are read: wait for both streams to end, so that the
            // message carries the server's own explanation.
            _process.WaitForExit();
            ready.TrySetException(new InvalidOperationException("recserve exited with code " + _process.ExitCode + " before it was ready:\n" + Output));
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        if (_process.HasExited)
        {
            ready.TrySetException(new InvalidOperationException("recserve exited before it was ready:\n" + Output));
        }
        await ready.Task.WaitAsync(timeout);
    }

    private void OnLine(string? line, TaskCompletionSource ready)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
        // A plain line in text format, the message of a JSON log line otherwise.
        if (line.Contains("RecServe ready", StringComparison.Ordinal))
        {
            ready.TrySetResult();
        }
    }

    /// <summary>Polls an observable condition (e.g. model status over the API) until it holds or the timeout passes.</summary>
    public static async Task WaitForAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"timed out after {timeout.TotalSeconds} s waiting for {what}");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Channel.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
