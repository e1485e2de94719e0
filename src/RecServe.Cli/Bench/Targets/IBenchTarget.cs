using RecServe.Core.Signatures;
using RecServe.Core.Tensors;

namespace RecServe.Cli.Bench.Targets;

/// <summary>
/// One way of running a request against a model: a wire protocol to a server, or a model in this process.
/// Requests are encoded once in <see cref="Prepare"/>, so that sending measures the server, not the encoder.
/// </summary>
internal interface IBenchTarget : IAsyncDisposable
{
    /// <summary>What is under load, for reports: the API and the address or model path.</summary>
    string Description { get; }

    /// <summary>The model's input and output signature, as its server (or loader) describes it.</summary>
    Task<ModelSignature> GetSignatureAsync(CancellationToken cancellationToken);

    /// <summary>Encodes the request pool once; <see cref="SendAsync"/> then refers to requests by index.</summary>
    void Prepare(IReadOnlyList<TensorSet> requests);

    /// <summary>
    /// Sends request <paramref name="request"/> on behalf of worker <paramref name="worker"/> and waits for the
    /// answer. Returns null on success, otherwise the status it failed with (see <see cref="CallStatus"/>);
    /// throws only <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires.
    /// </summary>
    ValueTask<string?> SendAsync(int request, int worker, CancellationToken cancellationToken);
}
