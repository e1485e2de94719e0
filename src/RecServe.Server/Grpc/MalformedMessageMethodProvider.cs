using System.Reflection;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;

namespace RecServe.Server.Grpc;

/// <summary>
/// Binds gRPC services as grpc-dotnet's default provider does (through the generated <c>BindService</c>), but with
/// request deserializers that answer a malformed message (truncated, wrong wire types, lengths past the end,
/// invalid UTF-8) with INVALID_ARGUMENT. The default lets the parser's exception escape, which clients see as
/// UNKNOWN "Exception was thrown by handler" and the log records as a server failure.
/// </summary>
/// <typeparam name="TService">The service implementation type.</typeparam>
/// <param name="overrides">Methods bound their own way (<see cref="IUnaryMethodOverride{TService}"/>).</param>
internal sealed class MalformedMessageMethodProvider<TService>(IEnumerable<IUnaryMethodOverride<TService>> overrides) : IServiceMethodProvider<TService>
    where TService : class
{
    /// <inheritdoc />
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<TService> context)
    {
        for (var type = typeof(TService); type is not null; type = type.BaseType)
        {
            if (type.GetCustomAttribute<BindServiceMethodAttribute>(inherit: false) is { } attribute)
            {
                var bind = attribute.BindType.GetMethods(BindingFlags.Public | BindingFlags.Static).FirstOrDefault(m =>
                    m.Name == attribute.BindMethodName && m.GetParameters() is [{ ParameterType: var binder }, _] && binder == typeof(ServiceBinderBase));
                bind?.Invoke(null, [new MalformedMessageBinder<TService>(context, overrides), null]);
                return;
            }
        }
    }
}
