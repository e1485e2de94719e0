using System.Collections.Concurrent;
using RecServe.Lifecycle.Config;
using RecServe.Lifecycle.Deltas;
using RecServe.Lifecycle.Versions;

namespace RecServe.Lifecycle;

/// <summary>The manager's bookkeeping for one model; written only by the polling thread.</summary>
internal sealed class ModelTracker(ModelConfig config)
{
    public ModelConfig Config { get; set; } = config;

    /// <summary>Status of every version seen, read concurrently by status requests.</summary>
    public ConcurrentDictionary<long, VersionStatus> Statuses { get; } = new();

    /// <summary>Fingerprint of each version folder at the previous scan.</summary>
    public Dictionary<long, string> LastFingerprints { get; } = new();

    /// <summary>Fingerprint of each version folder whose load failed: not retried until its files change.</summary>
    public Dictionary<long, string> FailedFingerprints { get; } = new();

    /// <summary>The deltas of each served bundle version.</summary>
    public Dictionary<long, VersionDeltas> Deltas { get; } = new();

    /// <summary>
    /// Versions retired to be loaded again from their folder, until the retired instance has unloaded: it holds the
    /// version's overlay, which only one process-wide instance may open. Written by the poller and by unloads.
    /// </summary>
    public ConcurrentDictionary<long, byte> AwaitingUnload { get; } = new();

    /// <summary>Served versions whose table files were replaced on disk, already logged once.</summary>
    public HashSet<long> ReportedReplacedFiles { get; } = new();

    /// <summary>The delta stream consumer of each served bundle version, read concurrently by metrics and the dashboard.</summary>
    public ConcurrentDictionary<long, VersionDeltaStream> Streams { get; } = new();

    /// <summary>Whether the base path has been scanned before.</summary>
    public bool Scanned { get; set; }
}
