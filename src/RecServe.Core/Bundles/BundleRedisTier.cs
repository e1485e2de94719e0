namespace RecServe.Core.Bundles;

/// <summary>
/// The Redis Cluster a table with residency "redis" is read from (docs/BUNDLE.md, format version 2). The table's
/// folder still holds <c>table.meta.json</c>, which says which pushed copy of the table to serve.
/// </summary>
public sealed class BundleRedisTier
{
    /// <summary>Seed nodes as "host:port"; the rest of the cluster is discovered from them.</summary>
    public List<string> Endpoints { get; set; } = [];

    /// <summary>
    /// Name of the environment variable holding the cluster password (AUTH), if any: a password never sits in a
    /// bundle, which is copied around and often world-readable.
    /// </summary>
    public string? PasswordEnv { get; set; }

    /// <summary>Connect with TLS.</summary>
    public bool Tls { get; set; }

    /// <summary>Milliseconds to wait for a connection to a node.</summary>
    public int ConnectTimeoutMs { get; set; } = 2000;

    /// <summary>Milliseconds one batch lookup may take before the ids still unanswered count as failed.</summary>
    public int TimeoutMs { get; set; } = 100;

    /// <summary>"degrade" (default rows for ids of a failed shard, counted) or "fail" (the request fails with UNAVAILABLE).</summary>
    public string OnFailure { get; set; } = "degrade";
}
