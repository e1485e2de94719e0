namespace RecServe.Protocol.KServe;

/// <summary>
/// What a KServe v2 REST request says besides its inputs, read by <see cref="InferJsonRequestReader.ReadInto"/>: its
/// <c>id</c> and the outputs it asks for. An id written without escapes is left where it is in the body, so that
/// echoing it makes no string; one with escapes is decoded into <see cref="EscapedId"/>.
/// </summary>
public readonly struct InferJsonHeader
{
    /// <summary>Creates the header.</summary>
    public InferJsonHeader(Range idInBody, string? escapedId, IReadOnlyList<string> outputNames)
    {
        IdInBody = idInBody;
        EscapedId = escapedId;
        OutputNames = outputNames;
    }

    /// <summary>Where the unescaped UTF-8 id lies in the body (empty when there is none, or it had escapes).</summary>
    public Range IdInBody { get; }

    /// <summary>The id, decoded, when it was written with escapes; otherwise null.</summary>
    public string? EscapedId { get; }

    /// <summary>The outputs the request names in <c>outputs</c>; empty means all.</summary>
    public IReadOnlyList<string> OutputNames { get; }

    /// <summary>The id's UTF-8 bytes in <paramref name="body"/>, the body this header was read from.</summary>
    public ReadOnlySpan<byte> IdUtf8(ReadOnlySpan<byte> body) => body[IdInBody];
}
