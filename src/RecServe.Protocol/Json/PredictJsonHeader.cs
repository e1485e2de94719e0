namespace RecServe.Protocol.Json;

/// <summary>What a REST predict body says besides its values (<see cref="PredictJsonRequestReader.ReadInto"/>).</summary>
/// <param name="SignatureName">The body's <c>signature_name</c>, or null.</param>
/// <param name="Format">Row (<c>instances</c>) or columnar (<c>inputs</c>): the answer uses the same.</param>
public readonly record struct PredictJsonHeader(string? SignatureName, PredictJsonFormat Format);
