using Google.Protobuf;
using Grpc.Core;

namespace RecServe.Server.Grpc;

/// <summary>What a request message that does not parse is answered with: INVALID_ARGUMENT naming the method.</summary>
internal static class MalformedMessage
{
    /// <summary>
    /// Whether <paramref name="e"/> is Google.Protobuf saying the bytes are not a valid message (it throws
    /// InvalidOperationException for a few malformed inputs, such as a wrapper field cut short).
    /// </summary>
    public static bool Is(Exception e) => e is InvalidProtocolBufferException or InvalidOperationException;

    /// <summary>The status exception for a malformed request to <paramref name="methodFullName"/>.</summary>
    public static RpcException Error(string methodFullName, Exception e) =>
        new(new Status(StatusCode.InvalidArgument, $"malformed {methodFullName} request message: {e.Message}"));
}
