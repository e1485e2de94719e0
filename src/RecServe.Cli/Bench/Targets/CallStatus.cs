using Grpc.Core;
using RecServe.Core.Errors;

namespace RecServe.Cli.Bench.Targets;

/// <summary>
/// The names failed calls are counted under: gRPC's canonical codes (also for in-process serving errors, which
/// use the same numbers), <c>HTTP nnn</c> for REST, and a few client-side ones (timeouts, broken connections).
/// </summary>
internal static class CallStatus
{
    /// <summary>The call took longer than the per-request timeout (REST; gRPC reports DEADLINE_EXCEEDED).</summary>
    public const string Timeout = "TIMEOUT";

    private static readonly string[] GrpcNames =
    [
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
        "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
        "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
    ];

    /// <summary>The canonical name of a gRPC status code.</summary>
    public static string FromGrpc(StatusCode code) => FromCodeNumber((int)code);

    /// <summary>The canonical name of a serving error (same numbering as gRPC).</summary>
    public static string FromServing(ServingErrorCode code) => FromCodeNumber((int)code);

    /// <summary>The name of an HTTP status that is not a success.</summary>
    public static string FromHttp(int status) => "HTTP " + status.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The name for a failure that never got a status from the server.</summary>
    public static string FromException(Exception e) => e switch
    {
        HttpRequestException http => "HTTP_" + ToUpperSnake(http.HttpRequestError.ToString()),
        TimeoutException or TaskCanceledException => Timeout,
        _ => "CLIENT_" + ToUpperSnake(e.GetType().Name.Replace("Exception", string.Empty, StringComparison.Ordinal)),
    };

    private static string FromCodeNumber(int code) => code >= 0 && code < GrpcNames.Length ? GrpcNames[code] : "CODE_" + code;

    private static string ToUpperSnake(string pascal)
    {
        var text = new System.Text.StringBuilder(pascal.Length + 4);
        for (var i = 0; i < pascal.Length; i++)
        {
            if (i > 0 && char.IsUpper(pascal[i]))
            {
                text.Append('_');
            }
            text.Append(char.ToUpperInvariant(pascal[i]));
        }
        return text.ToString();
    }
}
