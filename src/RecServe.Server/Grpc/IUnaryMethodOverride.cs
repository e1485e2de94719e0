using Grpc.AspNetCore.Server.Model;
using Grpc.Core;

namespace RecServe.Server.Grpc;

/// <summary>
/// Binds one unary method of <typeparamref name="TService"/> in place of the generated binding, with a request type
/// and deserializer of its own (<see cref="WireRequestBinding{TService, TWire, TMessage, TResponse}"/>); <see cref="MalformedMessageBinder{TService}"/> asks
/// each registered override before it binds a method itself.
/// </summary>
/// <typeparam name="TService">The service implementation type.</typeparam>
internal interface IUnaryMethodOverride<TService>
    where TService : class
{
    /// <summary>Adds <paramref name="method"/> to <paramref name="context"/> its own way; false if it is not this override's.</summary>
    bool TryAdd<TRequest, TResponse>(ServiceMethodProviderContext<TService> context, Method<TRequest, TResponse> method, IList<object> metadata)
        where TRequest : class
        where TResponse : class;
}
