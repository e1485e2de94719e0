using RecServe.Embeddings.Overlay;

namespace RecServe.Lifecycle.Deltas;

/// <summary>Hears what happens to a served version's deltas (the server turns it into metrics; Lifecycle knows no metrics library).</summary>
public interface IDeltaObserver
{
    /// <summary>A delta was applied and is visible.</summary>
    void OnApplied(string model, long version, DeltaApplyResult result);

    /// <summary>A delta was refused whole; the version serves what it served before.</summary>
    void OnRefused(string model, long version, string error);

    /// <summary>The version's last applied seq after a poll of its deltas (also at load, where it may come from an earlier process).</summary>
    void OnLastSeq(string model, long version, long seq);

    /// <summary>The version unloaded: its series can go.</summary>
    void OnClosed(string model, long version);
}
