using Grpc.Core;
using RecServe.Lifecycle;
using RecServe.Protocol.Metadata;
using RecServe.Server.Admin;
using Tensorflow.Serving;

namespace RecServe.Server.Grpc;

/// <summary>TF-Serving's <c>tensorflow.serving.ModelService</c>: model status, and config reload for admins.</summary>
public sealed class ModelGrpcService(ModelManager manager, AdminAuthorizer admin) : ModelService.ModelServiceBase
{
    /// <inheritdoc />
    public override Task<GetModelStatusResponse> GetModelStatus(GetModelStatusRequest request, ServerCallContext context)
    {
        var (name, version, label) = ModelSpecReader.Read(request.ModelSpec);
        var statuses = manager.GetStatus(name, version, label);
        return Task.FromResult(ModelStatusEncoder.Encode(statuses.Select(s => new VersionState(s.Version, (int)s.State, s.Error))));
    }

    /// <summary>
    /// Replaces the served models with the request's config (admin only). New versions load beside the
    /// serving ones; the call returns once the new config is served. A bad config changes nothing.
    /// </summary>
    public override async Task<ReloadConfigResponse> HandleReloadConfigRequest(ReloadConfigRequest request, ServerCallContext context)
    {
        admin.Authorize(context.RequestHeaders.GetValue("authorization"));
        var configs = ModelServerConfigMapper.Map(request.Config);
        await manager.ApplyConfigAsync(configs, context.CancellationToken).ConfigureAwait(false);
        return new ReloadConfigResponse { Status = new StatusProto { ErrorCode = Tensorflow.Error.Code.Ok } };
    }
}
