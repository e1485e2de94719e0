using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace RecServe.Cli.Bench.Targets;

/// <summary>
/// The HTTP side of the REST targets: a GET for metadata, and a POST of a pre-encoded JSON body whose answer is
/// drained, not parsed. HTTP/1.1, one connection per request in flight, as REST clients do.
/// </summary>
internal sealed class JsonHttpClient : IDisposable
{
    private readonly HttpClient _http;

    /// <summary>Creates a client for <paramref name="address"/> with a per-request <paramref name="timeout"/>.</summary>
    public JsonHttpClient(Uri address, TimeSpan timeout)
    {
        var handler = new SocketsHttpHandler
        {
            // A proxy from the environment would measure the proxy.
            UseProxy = false,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            AutomaticDecompression = DecompressionMethods.None,
        };
        _http = new HttpClient(handler) { BaseAddress = address, Timeout = timeout };
    }

    /// <summary>GETs <paramref name="path"/> and parses the JSON answer; throws with the server's message on a failure status.</summary>
    public async Task<JsonDocument> GetJsonAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(path, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException(
                $"GET {path} answered {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(body)}");
        }
        return JsonDocument.Parse(body);
    }

    /// <summary>POSTs <paramref name="body"/> as JSON; null on a 2xx answer, else the status name.</summary>
    public async ValueTask<string?> PostAsync(Uri path, byte[] body, CancellationToken cancellationToken)
    {
        try
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            // Read the body to its end, as a client would, so that the connection can carry the next request.
            await using (var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false))
            {
                await stream.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
            }
            return response.IsSuccessStatusCode ? null : CallStatus.FromHttp((int)response.StatusCode);
        }
        catch (Exception e) when ((e is HttpRequestException or OperationCanceledException or IOException) && !cancellationToken.IsCancellationRequested)
        {
            // HttpClient reports its own timeout as a cancellation; the run's cancellation token has not fired.
            return CallStatus.FromException(e is OperationCanceledException ? new TimeoutException() : e);
        }
    }

    /// <summary>Closes the connections.</summary>
    public void Dispose() => _http.Dispose();
}
