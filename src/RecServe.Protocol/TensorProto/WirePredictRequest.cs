namespace RecServe.Protocol.TensorProto;

/// <summary>
/// What <see cref="PredictRequestWireReader"/> read of a TF-Serving <c>PredictRequest</c> besides its inputs (which it
/// decoded into the caller's buffers): the model spec and the output filter.
/// </summary>
/// <param name="ModelName">model_spec.name, never empty.</param>
/// <param name="Version">model_spec.version, when the request chose a version.</param>
/// <param name="VersionLabel">model_spec.version_label, when the request chose a label.</param>
/// <param name="SignatureName">model_spec.signature_name; empty when not given.</param>
/// <param name="OutputFilter">output_filter; empty means every output.</param>
public sealed record WirePredictRequest(string ModelName, long? Version, string? VersionLabel, string SignatureName, IReadOnlyList<string> OutputFilter);
