namespace RecServe.Lifecycle.Versions;

/// <summary>Where a version is in its life; the same states (and order) as TF-Serving's ModelVersionStatus.</summary>
public enum ModelVersionState
{
    /// <summary>Seen on disk, not yet loading.</summary>
    Start = 10,
    /// <summary>Being loaded beside the versions already serving.</summary>
    Loading = 20,
    /// <summary>Serving requests.</summary>
    Available = 30,
    /// <summary>No longer taking new requests; draining those in flight.</summary>
    Unloading = 40,
    /// <summary>Unloaded, or failed to load (then <see cref="VersionStatus.Error"/> says why).</summary>
    End = 50,
}
