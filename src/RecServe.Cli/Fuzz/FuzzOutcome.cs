using Grpc.Core;

namespace RecServe.Cli.Fuzz;

/// <summary>How the server answered one generated request, and whether that answer is correct.</summary>
/// <param name="Status">The gRPC status name, <c>HTTP nnn</c>, or the client-side failure (a reset connection, a timeout).</param>
/// <param name="Acceptable">Whether the answer is correct for the request's <see cref="FuzzExpectation"/>.</param>
/// <param name="Detail">The server's message or the client's exception, for reports.</param>
internal readonly record struct FuzzOutcome(string Status, bool Acceptable, string Detail)
{
    /// <summary>The outcome of a gRPC call that ended with <paramref name="code"/>.</summary>
    public static FuzzOutcome FromGrpc(StatusCode code, string detail, FuzzExpectation expect)
    {
        var acceptable = code switch
        {
            StatusCode.OK or StatusCode.ResourceExhausted => true,
            StatusCode.InvalidArgument or StatusCode.NotFound or StatusCode.FailedPrecondition => expect != FuzzExpectation.Success,
            StatusCode.Unimplemented => expect == FuzzExpectation.UnknownMethod,
            _ => false,
        };
        return new FuzzOutcome(Bench.Targets.CallStatus.FromGrpc(code), acceptable, detail);
    }

    /// <summary>The outcome of an HTTP request answered with <paramref name="status"/>.</summary>
    public static FuzzOutcome FromHttp(int status, string detail, FuzzExpectation expect)
    {
        var acceptable = status switch
        {
            200 or 429 => true,
            400 or 404 or 405 or 413 or 415 => expect != FuzzExpectation.Success,
            501 => expect == FuzzExpectation.UnknownMethod,
            _ => false,
        };
        return new FuzzOutcome(Bench.Targets.CallStatus.FromHttp(status), acceptable, detail);
    }

    /// <summary>A request that got no answer: always wrong, the server must answer every request.</summary>
    public static FuzzOutcome NoAnswer(Exception e) =>
        new(Bench.Targets.CallStatus.FromException(e), false, e.GetType().Name + ": " + e.Message);
}
