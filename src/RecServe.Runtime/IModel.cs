using RecServe.Core.Signatures;
using RecServe.Core.Tensors;

namespace RecServe.Runtime;

/// <summary>One loaded model version that can answer predictions. Implementations are thread-safe.</summary>
public interface IModel : IDisposable
{
    /// <summary>The inputs and outputs of the model's serving signature.</summary>
    ModelSignature Signature { get; }

    /// <summary>
    /// Runs the model. <paramref name="inputs"/> must already satisfy <see cref="Signature"/> (see
    /// <see cref="SignatureValidator"/>). Returns the outputs named in <paramref name="outputFilter"/>, or all
    /// outputs when it is empty, in signature order; the caller disposes the result.
    /// </summary>
    TensorSet Predict(IReadOnlyDictionary<string, Tensor> inputs, IReadOnlyList<string> outputFilter);

    /// <summary>
    /// As <see cref="Predict"/>, for callers that can wait without holding a thread: a batching model queues
    /// the request and completes when its batch has run. <paramref name="cancellationToken"/> (a deadline or a
    /// client gone) drops the request if it has not been computed yet. Await the result once (or call AsTask once), as
    /// any ValueTask: a batching model's comes from a pooled source that serves another request afterwards.
    /// </summary>
    ValueTask<TensorSet> PredictAsync(IReadOnlyDictionary<string, Tensor> inputs, IReadOnlyList<string> outputFilter, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Predict(inputs, outputFilter));
    }

    /// <summary>
    /// Compares the files the version serves from with what it loaded (cheap: a few stat calls; pollers call it, not
    /// requests). Null when nothing changed or the model keeps no file open.
    /// </summary>
    ModelFileChange? CheckFiles() => null;
}
