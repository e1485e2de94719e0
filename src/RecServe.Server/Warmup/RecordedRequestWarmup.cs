using RecServe.Core.Signatures;
using RecServe.Lifecycle.Warmup;
using RecServe.Protocol.Json;
using RecServe.Runtime;
using RecServe.Runtime.Batching;
using RecServe.Runtime.Bundles;
using RecServe.Server.Metrics;

namespace RecServe.Server.Warmup;

/// <summary>
/// Warms a loaded version before it serves (docs/WARMUP.md): pre-fills its hot-row caches with the ids hot in the
/// version serving now, then replays every recorded request of its <c>warmup/</c> folder at each batch size the
/// batcher uses (once, as it is, without batching). Any request that fails fails the load.
/// </summary>
internal sealed class RecordedRequestWarmup(LifecycleMetrics metrics) : IVersionWarmup
{
    private static readonly PredictJsonRequestReader JsonReader = new();

    /// <inheritdoc />
    public void WarmUp(string modelName, long version, string versionPath, IModel model, IModel? serving)
    {
        var label = LifecycleMetrics.Label(version);
        if (Unwrap(model) is BundleModel bundle && serving is not null && Unwrap(serving) is BundleModel previous)
        {
            metrics.WarmupPrefilledRows.WithLabels(modelName, label).Inc(bundle.PrefillCaches(previous));
        }
        var batching = model as BatchingModel;
        var sizes = batching?.WarmupBatchSizes() ?? [];
        foreach (var (where, body) in WarmupRequestFile.Read(versionPath))
        {
            try
            {
                using var request = JsonReader.Read(body, model.Signature);
                SignatureValidator.Validate(model.Signature, request.Inputs, []);
                if (sizes.Count == 0)
                {
                    model.Predict(request.Inputs, []).Dispose();
                    metrics.WarmupRuns.WithLabels(modelName, label).Inc();
                    continue;
                }
                foreach (var size in sizes)
                {
                    batching!.RunWarmupBatch(request.Inputs, size);
                    metrics.WarmupRuns.WithLabels(modelName, label).Inc();
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Whatever the request or the model threw, the version is not fit to serve: the load fails with why.
                throw new ModelLoadException($"warm-up request {where} failed: {e.Message}", e);
            }
        }
    }

    private static IModel Unwrap(IModel model) => model is BatchingModel batching ? batching.Inner : model;
}
