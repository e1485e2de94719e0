namespace RecServe.Cli.Bench.Update;

/// <summary>A process's resident memory and CPU time used so far, at one moment.</summary>
/// <param name="Timestamp">When, as a Stopwatch timestamp.</param>
/// <param name="RssBytes">Resident set size (VmRSS) in bytes.</param>
/// <param name="CpuSeconds">User plus system CPU time of all its threads since it started, or -1 when unknown.</param>
internal readonly record struct ProcessSample(long Timestamp, long RssBytes, double CpuSeconds);
