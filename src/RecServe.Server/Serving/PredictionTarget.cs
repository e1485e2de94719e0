namespace RecServe.Server.Serving;

/// <summary>The model version a request asks for, as the router resolves it.</summary>
/// <param name="ModelName">Model name.</param>
/// <param name="Version">Requested version, or null for the latest.</param>
/// <param name="VersionLabel">Requested version label, or null.</param>
public readonly record struct PredictionTarget(string ModelName, long? Version, string? VersionLabel);
