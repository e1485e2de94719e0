using System.Diagnostics;
using RecServe.Core.Errors;
using RecServe.Core.Lifetime;
using RecServe.Core.Signatures;
using RecServe.Core.Tensors;
using RecServe.Lifecycle;
using RecServe.Lifecycle.Versions;
using RecServe.Runtime.Batching;
using RecServe.Server.Metrics;

namespace RecServe.Server.Serving;

/// <summary>
/// The request path shared by every protocol, top to bottom: lease the version (router), check the request
/// against its signature, run the model (through the batcher when batching is on). Adapters decode before
/// and encode after; they never touch models.
/// </summary>
public sealed class PredictionPipeline(ModelManager manager, ServingMetrics metrics, Warmup.WarmupRecorder recorder, Hosting.ServerOptions options)
{
    private readonly ModelConcurrencyLimiter _concurrency = new(options.MaxConcurrentRequestsPerModel);

    /// <summary>
    /// Input buffers that gRPC adapters decode requests into, kept between requests so that decoding a request like
    /// an earlier one allocates nothing. Return them only when no model can still read them (not after a cancelled
    /// request, whose batch may not have run yet).
    /// </summary>
    public ScratchPool<InputTensorBuffers> InputBuffers { get; } =
        new(2 * ScratchPool<InputTensorBuffers>.DefaultSlots, static _ => new InputTensorBuffers());

    /// <summary>
    /// Ends a request's use of <paramref name="inputs"/> (from <see cref="InputBuffers"/>): clears them and puts them
    /// back, unless <paramref name="requestAborted"/> fired. A cancelled request may still sit in a batch that reads its
    /// inputs, so its buffers are left as they are, to the GC.
    /// </summary>
    public void ReturnInputBuffers(InputTensorBuffers inputs, CancellationToken requestAborted)
    {
        if (!requestAborted.IsCancellationRequested)
        {
            inputs.Clear();
            InputBuffers.Return(inputs);
        }
    }

    /// <summary>The outputs of one prediction and the version that computed them.</summary>
    public sealed record Result(long Version, TensorSet Outputs) : IDisposable
    {
        /// <summary>Disposes the output tensors.</summary>
        public void Dispose() => Outputs.Dispose();
    }

    /// <summary>The server's metrics, for adapters to time their requests.</summary>
    public ServingMetrics Metrics => metrics;

    /// <summary>Leases the model version a request names (NOT_FOUND if none).</summary>
    public ServableHandle Lease(string modelName, long? version, string? label) =>
        manager.GetHandle(modelName, version, label);

    /// <summary>Runs <paramref name="request"/> on the version <paramref name="handle"/> leases.</summary>
    public async ValueTask<Result> PredictAsync(ServableHandle handle, PredictionRequest request, CancellationToken cancellationToken)
    {
        CheckSignatureName(request.SignatureName);
        var model = handle.Model;
        SignatureValidator.Validate(model.Signature, request.Inputs, request.OutputFilter);
        CheckBatchRows(request, options.MaxBatchRows);
        CheckStringBytes(request, options.MaxStringTensorBytes);
        using var admission = _concurrency.Enter(handle.ModelName);
        recorder.Offer(handle.ModelName, request.Inputs);
        var started = Stopwatch.GetTimestamp();
        var outputs = await model.PredictAsync(request.Inputs, request.OutputFilter, cancellationToken).ConfigureAwait(false);
        if (model is not BatchingModel)
        {
            // Batched models report their execution time per batch through the batch observer.
            metrics.RecordDenseStage(handle.ModelName, Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
        return new Result(handle.Version, outputs);
    }

    /// <summary>Runs <paramref name="request"/> synchronously, without batching or metrics (in-process callers).</summary>
    public static Result Predict(ServableHandle handle, PredictionRequest request)
    {
        CheckSignatureName(request.SignatureName);
        var model = handle.Model;
        SignatureValidator.Validate(model.Signature, request.Inputs, request.OutputFilter);
        return new Result(handle.Version, model.Predict(request.Inputs, request.OutputFilter));
    }

    /// <summary>INVALID_ARGUMENT when an input's batch dimension exceeds <paramref name="maxBatchRows"/> (0: no limit).</summary>
    public static void CheckBatchRows(PredictionRequest request, int maxBatchRows)
    {
        if (maxBatchRows <= 0)
        {
            return;
        }
        foreach (var (name, tensor) in request.Inputs)
        {
            // Ragged ids are flat, not rows: their lengths input carries the batch.
            if (tensor.Shape.Length > 0 && tensor.Shape[0] > maxBatchRows && !IsFlatIds(name, request.Inputs))
            {
                throw ServingException.InvalidArgument(
                    $"input '{name}' has {tensor.Shape[0]} rows, more than the server's limit of {maxBatchRows} (--max_batch_rows)");
            }
        }
    }

    /// <summary>
    /// INVALID_ARGUMENT when the string elements of one input hold more than <paramref name="maxBytes"/> bytes
    /// together (0: no limit).
    /// </summary>
    public static void CheckStringBytes(PredictionRequest request, long maxBytes)
    {
        if (maxBytes <= 0)
        {
            return;
        }
        foreach (var (name, tensor) in request.Inputs)
        {
            if (tensor.DataType != TensorDataType.String)
            {
                continue;
            }
            long total = 0;
            foreach (var element in tensor.Strings)
            {
                total += element.Length;
            }
            if (total > maxBytes)
            {
                throw ServingException.InvalidArgument(
                    $"string input '{name}' holds {total} bytes, more than the server's limit of {maxBytes} (--max_string_tensor_bytes)");
            }
        }
    }

    private static bool IsFlatIds(string name, IReadOnlyDictionary<string, Tensor> inputs) =>
        inputs.ContainsKey(name + Core.Bundles.BundleFormat.LengthsSuffix);

    /// <summary>INVALID_ARGUMENT, as in TF-Serving, unless the signature named is the default one.</summary>
    public static void CheckSignatureName(string? signatureName)
    {
        if (!string.IsNullOrEmpty(signatureName) && signatureName != ModelSignature.DefaultName)
        {
            throw ServingException.InvalidArgument(
                $"serving signature name '{signatureName}' not found in signature def; the model serves '{ModelSignature.DefaultName}'");
        }
    }
}
