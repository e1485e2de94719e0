using System.Security.Cryptography;
using System.Text;
using RecServe.Core.Errors;

namespace RecServe.Server.Admin;

/// <summary>
/// Guards admin operations (config reload, and later delta apply and warm-up recording). They are off unless
/// the server was started with an admin token; then a caller must present it as <c>Bearer &lt;token&gt;</c>,
/// compared in constant time so its length and contents cannot be probed by timing.
/// </summary>
public sealed class AdminAuthorizer(string? token)
{
    private readonly byte[]? _expected = string.IsNullOrEmpty(token) ? null : Encoding.UTF8.GetBytes(token);

    /// <summary>Whether admin operations are enabled at all.</summary>
    public bool Enabled => _expected is not null;

    /// <summary>Throws PERMISSION_DENIED when admin is off, UNAUTHENTICATED when the header is missing or wrong.</summary>
    public void Authorize(string? authorizationHeader)
    {
        if (_expected is null)
        {
            throw new ServingException(ServingErrorCode.PermissionDenied, "admin operations are disabled; start the server with --admin_token (or RECSERVE_ADMIN_TOKEN) to enable them");
        }
        const string prefix = "Bearer ";
        if (authorizationHeader is null || !authorizationHeader.StartsWith(prefix, StringComparison.Ordinal))
        {
            throw new ServingException(ServingErrorCode.Unauthenticated, "admin operations need an 'authorization: Bearer <token>' header");
        }
        var presented = Encoding.UTF8.GetBytes(authorizationHeader[prefix.Length..]);
        if (!CryptographicOperations.FixedTimeEquals(presented, _expected))
        {
            throw new ServingException(ServingErrorCode.Unauthenticated, "the admin token is wrong");
        }
    }
}
