namespace RecServe.Runtime;

/// <summary>
/// A loaded version's files no longer match what it serves. <paramref name="Torn"/>: a mapped file was written in
/// place, so what the version would read may mix old and new bytes; it refuses requests until it is reloaded.
/// Otherwise a file was replaced at its path and the version still serves, intact, what it loaded.
/// </summary>
public sealed record ModelFileChange(bool Torn, string Message);
