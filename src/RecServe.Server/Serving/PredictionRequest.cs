using RecServe.Core.Tensors;

namespace RecServe.Server.Serving;

/// <summary>A predict request after protocol decoding: which model, and the input tensors (owned by the caller).</summary>
/// <param name="ModelName">Model name.</param>
/// <param name="Version">Requested version, or null.</param>
/// <param name="VersionLabel">Requested version label, or null.</param>
/// <param name="SignatureName">Requested signature; empty means <c>serving_default</c>.</param>
/// <param name="Inputs">Input tensors by name.</param>
/// <param name="OutputFilter">Outputs wanted; empty means all.</param>
public sealed record PredictionRequest(
    string ModelName,
    long? Version,
    string? VersionLabel,
    string? SignatureName,
    IReadOnlyDictionary<string, Tensor> Inputs,
    IReadOnlyList<string> OutputFilter);
