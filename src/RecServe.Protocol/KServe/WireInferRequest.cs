namespace RecServe.Protocol.KServe;

/// <summary>
/// What <see cref="InferRequestWireReader"/> read of a KServe v2 <c>ModelInferRequest</c> besides its inputs (which
/// it decoded into the caller's buffers).
/// </summary>
/// <param name="ModelName">model_name, never empty.</param>
/// <param name="ModelVersion">model_version; empty when not given.</param>
/// <param name="Id">id, echoed in the response; empty when not given.</param>
/// <param name="OutputNames">The outputs the request names; empty means all.</param>
public sealed record WireInferRequest(string ModelName, string ModelVersion, string Id, IReadOnlyList<string> OutputNames);
