namespace RecServe.Lifecycle.Versions;

/// <summary>The state of one model version, as model status reports it.</summary>
/// <param name="Version">Version number.</param>
/// <param name="State">Lifecycle state.</param>
/// <param name="Error">Why the load failed, or null.</param>
/// <param name="Since">When the version entered <paramref name="State"/>.</param>
public sealed record VersionStatus(long Version, ModelVersionState State, string? Error, DateTimeOffset Since);
