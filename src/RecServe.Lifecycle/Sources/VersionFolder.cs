namespace RecServe.Lifecycle.Sources;

/// <summary>One numeric version folder found under a model's base path.</summary>
/// <param name="Version">The folder's number.</param>
/// <param name="Path">Full path of the folder.</param>
/// <param name="Fingerprint">Changes whenever a file in the folder is added, removed, resized or rewritten.</param>
public sealed record VersionFolder(long Version, string Path, string Fingerprint);
