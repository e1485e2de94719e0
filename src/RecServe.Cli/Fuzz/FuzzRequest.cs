using System.Text;

namespace RecServe.Cli.Fuzz;

/// <summary>
/// One generated request on the wire: a gRPC method and its message bytes, or an HTTP method, path, content type
/// and body. Printed, it is the reproducer a failing run reports.
/// </summary>
/// <param name="Method">"gRPC", or the HTTP method.</param>
/// <param name="Path">The gRPC method's full name (<c>/package.Service/Method</c>), or the HTTP path and query.</param>
/// <param name="ContentType">The HTTP content type, or null for none (always null for gRPC).</param>
/// <param name="Body">The message or body bytes, exactly as sent.</param>
/// <param name="What">How it was generated and what was made wrong.</param>
/// <param name="Expect">Which answers are correct.</param>
internal sealed record FuzzRequest(string Method, string Path, string? ContentType, byte[] Body, string What, FuzzExpectation Expect)
{
    private const int MaxPrintedBytes = 600;

    /// <summary>The gRPC marker for <see cref="Method"/>.</summary>
    public const string Grpc = "gRPC";

    /// <summary>Whether this is a gRPC call rather than an HTTP request.</summary>
    public bool IsGrpc => Method == Grpc;

    /// <inheritdoc />
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(Method).Append(' ').Append(Path);
        if (ContentType is not null)
        {
            text.Append(" (").Append(ContentType).Append(')');
        }
        text.Append(" [").Append(Expect).Append("] ").Append(What).Append("; ").Append(Body.Length).Append(" bytes: ");
        var shown = Body.AsSpan(0, Math.Min(Body.Length, MaxPrintedBytes));
        if (!IsGrpc && Encoding.UTF8.GetCharCount(shown) == shown.Length && !shown.ContainsAnyExceptInRange((byte)0x20, (byte)0x7E))
        {
            text.Append(Encoding.ASCII.GetString(shown));
        }
        else
        {
            text.Append(Convert.ToHexString(shown));
        }
        if (shown.Length < Body.Length)
        {
            text.Append("...");
        }
        return text.ToString();
    }
}
