using Grpc.Core;
using RecServe.Lifecycle;
using RecServe.Protocol.Metadata;
using Tensorflow.Serving;

namespace RecServe.Server.Grpc;

/// <summary>TF-Serving's <c>tensorflow.serving.ModelService</c>: model status (config reload is not offered yet).</summary>
public sealed class ModelGrpcService(ModelManager manager) : ModelService.ModelServiceBase
{
    /// <inheritdoc />
    public override Task<GetModelStatusResponse> GetModelStatus(GetModelStatusRequest request, ServerCallContext context)
    {
        var (name, version, label) = ModelSpecReader.Read(request.ModelSpec);
        var statuses = manager.GetStatus(name, version, label);
        return Task.FromResult(ModelStatusEncoder.Encode(statuses.Select(s => new VersionState(s.Version, (int)s.State, s.Error))));
    }
}
