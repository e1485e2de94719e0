using Grpc.Core;
using Grpc.Net.Client;

namespace RecServe.Cli.Bench.Targets;

/// <summary>
/// <c>--connections</c> gRPC channels to one server, each with its own HTTP/2 connection, shared by workers
/// round-robin. One connection is what most clients use; several show whether the server scales across them.
/// </summary>
internal sealed class GrpcChannelSet : IDisposable
{
    // Large enough for any batch a benchmark sends; the server enforces its own limit.
    private const int MaxMessageBytes = 512 * 1024 * 1024;

    private readonly GrpcChannel[] _channels;
    private readonly CallInvoker[] _invokers;

    /// <summary>Opens <paramref name="count"/> channels to <paramref name="address"/> (lazily, on first call).</summary>
    public GrpcChannelSet(Uri address, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        _channels = new GrpcChannel[count];
        _invokers = new CallInvoker[count];
        for (var i = 0; i < count; i++)
        {
            var handler = new SocketsHttpHandler
            {
                // A proxy from the environment would measure the proxy.
                UseProxy = false,
                // Past 100 concurrent streams (the usual server limit) a second connection opens instead of queueing.
                EnableMultipleHttp2Connections = true,
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            };
            _channels[i] = GrpcChannel.ForAddress(address, new GrpcChannelOptions
            {
                HttpHandler = handler,
                DisposeHttpClient = true,
                MaxReceiveMessageSize = MaxMessageBytes,
                MaxSendMessageSize = MaxMessageBytes,
            });
            _invokers[i] = _channels[i].CreateCallInvoker();
        }
    }

    /// <summary>The first channel, for one-off calls such as metadata.</summary>
    public GrpcChannel First => _channels[0];

    /// <summary>The invoker worker <paramref name="worker"/> sends on.</summary>
    public CallInvoker ForWorker(int worker) => _invokers[(int)((uint)worker % (uint)_invokers.Length)];

    /// <summary>Closes every channel.</summary>
    public void Dispose()
    {
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }
    }
}
