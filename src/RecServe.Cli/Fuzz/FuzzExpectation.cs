namespace RecServe.Cli.Fuzz;

/// <summary>Which answers to a generated request are correct.</summary>
internal enum FuzzExpectation
{
    /// <summary>Malformed on purpose: any client error, or success when the mutation happened to leave it valid.</summary>
    ClientErrorOrSuccess,
    /// <summary>Valid: it must succeed (overload, RESOURCE_EXHAUSTED / 429, is also accepted).</summary>
    Success,
    /// <summary>Names a method or verb the server does not offer: UNIMPLEMENTED / 501 is also accepted.</summary>
    UnknownMethod,
}
