using Grpc.Core;
using Grpc.Core.Interceptors;
using RecServe.Core.Errors;
using RecServe.Server.Serving;

namespace RecServe.Server.Grpc;

/// <summary>Turns <see cref="ServingException"/> into a gRPC status with the same code and message.</summary>
public sealed class ServingErrorInterceptor : Interceptor
{
    /// <inheritdoc />
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (ServingException e)
        {
            throw new RpcException(new Status(ErrorStatus.ToGrpc(e.Code), e.Message));
        }
    }
}
