using Grpc.AspNetCore.Server.Model;
using Grpc.Core;

namespace RecServe.Server.Grpc;

/// <summary>
/// The binder <see cref="MalformedMessageMethodProvider{TService}"/> hands to a generated <c>BindService</c>: adds each
/// method to the endpoint model with its request deserializer guarded, and with the implementation's own method as
/// the invoker (the handler the generated code passes is unused, as in grpc-dotnet's binder).
/// </summary>
/// <typeparam name="TService">The service implementation type.</typeparam>
internal sealed class MalformedMessageBinder<TService>(ServiceMethodProviderContext<TService> context, IEnumerable<IUnaryMethodOverride<TService>> overrides)
    : ServiceBinderBase
    where TService : class
{
    /// <inheritdoc />
    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
    {
        var metadata = Metadata(method.Name);
        foreach (var methodOverride in overrides)
        {
            if (methodOverride.TryAdd(context, method, metadata))
            {
                return;
            }
        }
        context.AddUnaryMethod(Guarded(method), metadata,
            Invoker<UnaryServerMethod<TService, TRequest, TResponse>>(method.Name, typeof(TRequest), typeof(ServerCallContext)));
    }

    /// <inheritdoc />
    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler) =>
        context.AddServerStreamingMethod(Guarded(method), Metadata(method.Name),
            Invoker<ServerStreamingServerMethod<TService, TRequest, TResponse>>(method.Name, typeof(TRequest), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext)));

    /// <inheritdoc />
    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler) =>
        context.AddClientStreamingMethod(Guarded(method), Metadata(method.Name),
            Invoker<ClientStreamingServerMethod<TService, TRequest, TResponse>>(method.Name, typeof(IAsyncStreamReader<TRequest>), typeof(ServerCallContext)));

    /// <inheritdoc />
    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler) =>
        context.AddDuplexStreamingMethod(Guarded(method), Metadata(method.Name),
            Invoker<DuplexStreamingServerMethod<TService, TRequest, TResponse>>(method.Name, typeof(IAsyncStreamReader<TRequest>), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext)));

    private static Method<TRequest, TResponse> Guarded<TRequest, TResponse>(Method<TRequest, TResponse> method)
        where TRequest : class
        where TResponse : class
    {
        var inner = method.RequestMarshaller;
        var marshaller = new Marshaller<TRequest>(inner.ContextualSerializer, deserializationContext =>
        {
            try
            {
                return inner.ContextualDeserializer(deserializationContext);
            }
            catch (Exception e) when (MalformedMessage.Is(e))
            {
                throw MalformedMessage.Error(method.FullName, e);
            }
        });
        return new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name, marshaller, method.ResponseMarshaller);
    }

    // Attributes on the service and the method (authorization, CORS) become endpoint metadata, as grpc-dotnet does.
    private static List<object> Metadata(string methodName)
    {
        var metadata = new List<object>(typeof(TService).GetCustomAttributes(inherit: true));
        if (typeof(TService).GetMethod(methodName) is { } implementation)
        {
            metadata.AddRange(implementation.GetCustomAttributes(inherit: true));
        }
        return metadata;
    }

    private static TDelegate Invoker<TDelegate>(string methodName, params Type[] parameters)
        where TDelegate : Delegate
    {
        var implementation = typeof(TService).GetMethod(methodName, parameters)
            ?? throw new InvalidOperationException($"{typeof(TService).Name} has no method {methodName}");
        return (TDelegate)Delegate.CreateDelegate(typeof(TDelegate), implementation);
    }
}
