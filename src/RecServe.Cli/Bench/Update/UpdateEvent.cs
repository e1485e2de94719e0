namespace RecServe.Cli.Bench.Update;

/// <summary>Something that happened to the served model during the run, marked on the time axis.</summary>
/// <param name="Name">What: <c>copy_started</c>, <c>version_copied</c>, <c>version_live</c>, <c>old_version_unloaded</c>, <c>delta_dropped</c>, <c>delta_applied</c>.</param>
/// <param name="Timestamp">When, as a Stopwatch timestamp (as observed by the bench: polled within its poll interval).</param>
internal readonly record struct UpdateEvent(string Name, long Timestamp);
