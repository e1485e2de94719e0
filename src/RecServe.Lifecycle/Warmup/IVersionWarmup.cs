using RecServe.Runtime;

namespace RecServe.Lifecycle.Warmup;

/// <summary>
/// Prepares a freshly loaded version before it takes traffic (docs/WARMUP.md): replays recorded requests, pre-fills
/// caches. Runs after the load, before the swap; an exception fails the load, so the old version keeps serving and
/// model status shows why.
/// </summary>
public interface IVersionWarmup
{
    /// <summary>
    /// Warms <paramref name="model"/>, loaded from <paramref name="versionPath"/>; <paramref name="serving"/> is the version
    /// serving now (leased for the call), or null.
    /// </summary>
    void WarmUp(string modelName, long version, string versionPath, IModel model, IModel? serving);
}
