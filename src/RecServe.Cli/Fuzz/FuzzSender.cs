using System.Net.Http.Headers;
using Grpc.Core;
using Grpc.Net.Client;

namespace RecServe.Cli.Fuzz;

/// <summary>
/// Sends <see cref="FuzzRequest"/>s as they are: gRPC messages as raw bytes (so malformed protobuf reaches the
/// server's decoder), HTTP bodies with exactly the generated method and content type.
/// </summary>
internal sealed class FuzzSender : IDisposable
{
    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(static (byte[] message) => message, static bytes => bytes);

    private readonly GrpcChannel _channel;
    private readonly CallInvoker _invoker;
    private readonly HttpClient _http;
    private readonly TimeSpan _timeout;

    /// <summary>A sender to the server at <paramref name="address"/> (gRPC and HTTP alike); a request past <paramref name="timeout"/> fails.</summary>
    public FuzzSender(Uri address, TimeSpan timeout)
    {
        _timeout = timeout;
        _channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { UseProxy = false, EnableMultipleHttp2Connections = true },
            DisposeHttpClient = true,
            MaxReceiveMessageSize = int.MaxValue,
            MaxSendMessageSize = int.MaxValue,
        });
        _invoker = _channel.CreateCallInvoker();
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = address, Timeout = timeout };
    }

    /// <summary>Sends <paramref name="request"/> and judges the answer; never throws for what the server does.</summary>
    public async Task<FuzzOutcome> SendAsync(FuzzRequest request, CancellationToken cancellationToken = default) =>
        (await SendForAnswerAsync(request, cancellationToken).ConfigureAwait(false)).Outcome;

    /// <summary>Sends <paramref name="request"/>; the outcome, and the answer's bytes when it succeeded.</summary>
    public async Task<(FuzzOutcome Outcome, byte[]? Answer)> SendForAnswerAsync(FuzzRequest request, CancellationToken cancellationToken = default)
    {
        try
        {
            return request.IsGrpc
                ? await CallAsync(request, cancellationToken).ConfigureAwait(false)
                : await PostAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return (FuzzOutcome.NoAnswer(e), null);
        }
    }

    private async Task<(FuzzOutcome, byte[]?)> CallAsync(FuzzRequest request, CancellationToken cancellationToken)
    {
        var slash = request.Path.LastIndexOf('/');
        var method = new Method<byte[], byte[]>(MethodType.Unary, request.Path[1..slash], request.Path[(slash + 1)..], Bytes, Bytes);
        try
        {
            using var call = _invoker.AsyncUnaryCall(method, null, new CallOptions(deadline: DateTime.UtcNow + _timeout, cancellationToken: cancellationToken), request.Body);
            var answer = await call.ResponseAsync.ConfigureAwait(false);
            return (FuzzOutcome.FromGrpc(StatusCode.OK, string.Empty, request.Expect), answer);
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            return (FuzzOutcome.FromGrpc(e.StatusCode, e.Status.Detail + (e.Status.DebugException is { } inner ? " (" + inner.Message + ")" : string.Empty), request.Expect), null);
        }
    }

    private async Task<(FuzzOutcome, byte[]?)> PostAsync(FuzzRequest request, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Path);
        if (request.Body.Length > 0 || request.Method != "GET")
        {
            message.Content = new ByteArrayContent(request.Body);
            message.Content.Headers.ContentType = request.ContentType is null ? null : MediaTypeHeaderValue.Parse(request.ContentType);
        }
        using var response = await _http.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var answer = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var detail = System.Text.Encoding.UTF8.GetString(answer.AsSpan(0, Math.Min(answer.Length, 300)));
        var outcome = FuzzOutcome.FromHttp((int)response.StatusCode, detail, request.Expect);
        return (outcome, response.IsSuccessStatusCode ? answer : null);
    }

    /// <summary>Closes the connections.</summary>
    public void Dispose()
    {
        _channel.Dispose();
        _http.Dispose();
    }
}
