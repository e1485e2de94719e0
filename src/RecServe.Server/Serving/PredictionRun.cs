using System.Runtime.CompilerServices;
using RecServe.Core.Tensors;

namespace RecServe.Server.Serving;

/// <summary>
/// One prediction request from any protocol, top to bottom: name the version, time and count the request under its
/// <c>api</c> label, lease the version, decode into kept input buffers, predict through the
/// <see cref="PredictionPipeline"/> (and its batcher), encode, and give the buffers back. The protocol's steps come
/// from an <see cref="IPredictionExchange{TAnswer}"/> struct, so the request path takes no delegate or closure.
/// </summary>
public static class PredictionRun
{
    /// <summary>
    /// Runs <paramref name="exchange"/> on <paramref name="pipeline"/>, owning <paramref name="inputs"/> (rented from
    /// <see cref="PredictionPipeline.InputBuffers"/>) from the call on: they go back once, when the run ends, unless the
    /// request was cancelled after a model could have started reading them.
    /// </summary>
    /// <param name="pipeline">The pipeline to predict on.</param>
    /// <param name="api">The <c>api</c> label of the request metrics (<see cref="ApiNames"/>).</param>
    /// <param name="exchange">The protocol's decode and encode.</param>
    /// <param name="inputs">Input buffers; the wire reader may have decoded the request into them already.</param>
    /// <typeparam name="TExchange">The protocol's exchange struct.</typeparam>
    /// <typeparam name="TAnswer">The protocol's answer.</typeparam>
    /// <returns>The answer; await it once (its state machine is pooled).</returns>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<TAnswer> RunAsync<TExchange, TAnswer>(PredictionPipeline pipeline, string api, TExchange exchange, InputTensorBuffers inputs)
        where TExchange : struct, IPredictionExchange<TAnswer>
    {
        // Until a model may hold the inputs, nothing can still read them, so they go back even if the client is gone.
        var modelMayHoldInputs = CancellationToken.None;
        try
        {
            var target = exchange.Target();
            var scope = pipeline.Metrics.Start(api, target.ModelName);
            try
            {
                await exchange.ReceiveAsync().ConfigureAwait(false);
                using var handle = pipeline.Lease(target.ModelName, target.Version, target.VersionLabel);
                scope.Version = handle.Version;
                var deadline = exchange.StartDeadline();
                var request = exchange.Decode(target, handle, inputs);
                modelMayHoldInputs = deadline;
                using var result = await pipeline.PredictAsync(handle, request, deadline).ConfigureAwait(false);
                var answer = exchange.Encode(result);
                scope.Succeeded();
                return answer;
            }
            catch (Exception e)
            {
                scope.Failed(e);
                throw;
            }
        }
        finally
        {
            exchange.Dispose();
            pipeline.ReturnInputBuffers(inputs, modelMayHoldInputs);
        }
    }
}
