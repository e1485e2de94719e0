namespace RecServe.Lifecycle.Deltas;

/// <summary>Where a version's delta stream consumer is.</summary>
public enum DeltaStreamState
{
    /// <summary>Not yet answered by the stream.</summary>
    Connecting,

    /// <summary>Reading: every delta published so far and complete is applied.</summary>
    Reading,

    /// <summary>Complete deltas wait for an earlier seq (refused, or not yet published or dropped as a file).</summary>
    WaitingForSeq,

    /// <summary>The stream cannot be reached; the version keeps serving what it has, and reads are retried.</summary>
    Unreachable,

    /// <summary>The version was retired.</summary>
    Stopped,
}
