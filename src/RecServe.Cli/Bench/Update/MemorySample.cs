namespace RecServe.Cli.Bench.Update;

/// <summary>A process's resident memory at one moment.</summary>
/// <param name="Timestamp">When, as a Stopwatch timestamp.</param>
/// <param name="RssBytes">Resident set size (VmRSS) in bytes.</param>
internal readonly record struct MemorySample(long Timestamp, long RssBytes);
