namespace RecServe.Lifecycle.Deltas;

/// <summary>A snapshot of one served version's delta stream consumer, for metrics and the dashboard.</summary>
/// <param name="Model">Model name.</param>
/// <param name="Version">Version number.</param>
/// <param name="Stream">The stream (e.g. <c>redis 10.0.0.1:6379 recserve:deltas:dlrm</c>).</param>
/// <param name="State">Where the consumer is.</param>
/// <param name="Position">Id of the last entry read.</param>
/// <param name="LastAppliedSeq">The version's last applied seq (from a stream or a file).</param>
/// <param name="WaitingForSeq">The seq later deltas wait for, or 0.</param>
/// <param name="LastAppliedPublishedAt">Publish time of the last delta this consumer applied, or null.</param>
/// <param name="LagSeconds">How far behind the stream the version may be: now − the publish time of the oldest delta read but
/// not applied; when none, now − the last moment the stream was seen to hold nothing newer (grows while Redis is down);
/// NaN before the stream was ever reached.</param>
/// <param name="EntriesRead">Entries read since start.</param>
/// <param name="DeltasApplied">Deltas this consumer applied.</param>
/// <param name="DeltasSkipped">Complete deltas skipped because their seq was already applied (e.g. also dropped as a file).</param>
/// <param name="DeltasRefused">Publications refused whole (corrupt, truncated, not fitting the model).</param>
/// <param name="ReadErrors">Reads that failed (Redis unreachable or erroring).</param>
/// <param name="Error">The consumer's current problem, or null.</param>
public sealed record DeltaStreamStatus(string Model, long Version, string Stream, DeltaStreamState State, string Position, long LastAppliedSeq,
    long WaitingForSeq, DateTimeOffset? LastAppliedPublishedAt, double LagSeconds, long EntriesRead, long DeltasApplied, long DeltasSkipped,
    long DeltasRefused, long ReadErrors, string? Error);
