namespace RecServe.Core.Errors;

/// <summary>A failure with a <see cref="ServingErrorCode"/> that protocol adapters turn into a status code.</summary>
public sealed class ServingException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ServingException(ServingErrorCode code, string message, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
    }

    /// <summary>What kind of failure this is.</summary>
    public ServingErrorCode Code { get; }

    /// <summary>An INVALID_ARGUMENT failure.</summary>
    public static ServingException InvalidArgument(string message) => new(ServingErrorCode.InvalidArgument, message);

    /// <summary>A NOT_FOUND failure.</summary>
    public static ServingException NotFound(string message) => new(ServingErrorCode.NotFound, message);

    /// <summary>A RESOURCE_EXHAUSTED failure.</summary>
    public static ServingException ResourceExhausted(string message) => new(ServingErrorCode.ResourceExhausted, message);
}
