namespace RecServe.Core.Errors;

/// <summary>
/// Why a request or operation failed. Values equal the canonical gRPC / TensorFlow error codes so that
/// adapters map them without a table.
/// </summary>
public enum ServingErrorCode
{
    /// <summary>The caller gave up.</summary>
    Cancelled = 1,
    /// <summary>An unexpected failure.</summary>
    Unknown = 2,
    /// <summary>The request is malformed or does not match the signature.</summary>
    InvalidArgument = 3,
    /// <summary>The request's deadline passed before it was computed.</summary>
    DeadlineExceeded = 4,
    /// <summary>No such model, version, label or signature.</summary>
    NotFound = 5,
    /// <summary>The caller may not do this.</summary>
    PermissionDenied = 7,
    /// <summary>A limit (size, queue, concurrency) was reached.</summary>
    ResourceExhausted = 8,
    /// <summary>The system is not in a state to do this (e.g. version still loading).</summary>
    FailedPrecondition = 9,
    /// <summary>Not supported by this server.</summary>
    Unimplemented = 12,
    /// <summary>A bug or broken invariant inside the server.</summary>
    Internal = 13,
    /// <summary>A dependency is down; retrying may succeed.</summary>
    Unavailable = 14,
    /// <summary>Data is corrupt.</summary>
    DataLoss = 15,
    /// <summary>Credentials missing or wrong.</summary>
    Unauthenticated = 16,
}
