using System.Globalization;
using Microsoft.AspNetCore.Http;
using RecServe.Core.Errors;

namespace RecServe.Server.Rest;

/// <summary>
/// A REST request's deadline: the client's disconnect, plus the optional <c>X-Request-Timeout-Ms</c> header
/// (REST has no standard deadline; gRPC clients use their own). A request still queued when it expires is
/// dropped, never computed.
/// </summary>
internal sealed class RequestTimeout : IDisposable
{
    /// <summary>The header carrying the timeout in milliseconds.</summary>
    public const string HeaderName = "X-Request-Timeout-Ms";

    private readonly CancellationTokenSource? _source;

    private RequestTimeout(CancellationToken token, CancellationTokenSource? source)
    {
        Token = token;
        _source = source;
    }

    public CancellationToken Token { get; }

    public static RequestTimeout Create(HttpContext context)
    {
        var header = context.Request.Headers[HeaderName];
        if (header.Count == 0)
        {
            return new RequestTimeout(context.RequestAborted, null);
        }
        if (!int.TryParse(header[0], NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds) || milliseconds <= 0)
        {
            throw ServingException.InvalidArgument($"{HeaderName} must be a positive number of milliseconds, not '{header[0]}'");
        }
        var source = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        source.CancelAfter(milliseconds);
        return new RequestTimeout(source.Token, source);
    }

    public void Dispose() => _source?.Dispose();
}
