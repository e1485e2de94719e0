using Grpc.Core;
using Microsoft.AspNetCore.Http;
using RecServe.Core.Errors;

namespace RecServe.Server.Serving;

/// <summary>Maps <see cref="ServingErrorCode"/> to gRPC and HTTP status codes.</summary>
public static class ErrorStatus
{
    /// <summary>The gRPC status for an error code (the numbers are the same by design).</summary>
    public static StatusCode ToGrpc(ServingErrorCode code) => (StatusCode)(int)code;

    /// <summary>The HTTP status TF-Serving's REST API answers for an error code.</summary>
    public static int ToHttp(ServingErrorCode code) => code switch
    {
        ServingErrorCode.InvalidArgument => StatusCodes.Status400BadRequest,
        ServingErrorCode.FailedPrecondition => StatusCodes.Status400BadRequest,
        ServingErrorCode.NotFound => StatusCodes.Status404NotFound,
        ServingErrorCode.ResourceExhausted => StatusCodes.Status429TooManyRequests,
        ServingErrorCode.Unauthenticated => StatusCodes.Status401Unauthorized,
        ServingErrorCode.PermissionDenied => StatusCodes.Status403Forbidden,
        ServingErrorCode.DeadlineExceeded => StatusCodes.Status504GatewayTimeout,
        ServingErrorCode.Unimplemented => StatusCodes.Status501NotImplemented,
        ServingErrorCode.Unavailable => StatusCodes.Status503ServiceUnavailable,
        ServingErrorCode.Cancelled => 499,
        _ => StatusCodes.Status500InternalServerError,
    };
}
