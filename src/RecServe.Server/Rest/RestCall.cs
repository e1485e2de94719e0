using Microsoft.AspNetCore.Http;

namespace RecServe.Server.Rest;

/// <summary>
/// What a REST prediction holds besides its buffers: the request body, read into pooled memory before the version is
/// leased, and the deadline (<see cref="RequestTimeout"/>) that starts once it is. The part of
/// <see cref="RestPredictExchange"/> and <see cref="KServe.RestInferExchange"/> that is the same; disposing frees both.
/// </summary>
internal struct RestCall(HttpContext context) : IDisposable
{
    private Task<PooledBody>? _body;
    private RequestTimeout? _timeout;

    /// <summary>The body, once the task <see cref="ReceiveAsync"/> returned has completed.</summary>
    public readonly ReadOnlySpan<byte> Body => _body!.Result.Span;

    /// <summary>Starts reading the body (413 past <c>--max_message_bytes</c>).</summary>
    public Task ReceiveAsync() => _body = RequestBodyReader.ReadAsync(context);

    /// <summary>Starts the request's deadline (INVALID_ARGUMENT for a malformed timeout header) and returns its token.</summary>
    public CancellationToken StartDeadline()
    {
        _timeout = RequestTimeout.Create(context);
        return _timeout.Token;
    }

    /// <summary>Returns the body's memory and stops the deadline's timer.</summary>
    public readonly void Dispose()
    {
        if (_body is { IsCompletedSuccessfully: true })
        {
            _body.Result.Dispose();
        }
        _timeout?.Dispose();
    }
}
