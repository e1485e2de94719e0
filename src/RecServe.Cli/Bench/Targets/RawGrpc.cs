using Google.Protobuf.Reflection;
using Grpc.Core;

namespace RecServe.Cli.Bench.Targets;

/// <summary>
/// Unary gRPC calls with request bodies serialized before the run and response bodies left unparsed, so the
/// client's protobuf work stays out of the measured time. The wire bytes are exactly what the generated client
/// would send.
/// </summary>
internal static class RawGrpc
{
    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create<byte[]>(
        static (message, context) => context.Complete(message),
        // The answer's status is what counts; its body is received but not decoded.
        static _ => []);

    /// <summary>A byte-level method for the RPC <paramref name="descriptor"/> describes.</summary>
    public static Method<byte[], byte[]> Unary(MethodDescriptor descriptor) =>
        new(MethodType.Unary, descriptor.Service.FullName, descriptor.Name, Bytes, Bytes);

    /// <summary>Calls <paramref name="method"/>; null on OK, else the status name.</summary>
    public static async ValueTask<string?> CallAsync(
        CallInvoker invoker, Method<byte[], byte[]> method, byte[] request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var options = new CallOptions(deadline: DateTime.UtcNow + timeout, cancellationToken: cancellationToken);
        try
        {
            using var call = invoker.AsyncUnaryCall(method, null, options, request);
            await call.ResponseAsync.ConfigureAwait(false);
            return null;
        }
        catch (RpcException e)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return CallStatus.FromGrpc(e.StatusCode);
        }
    }
}
