namespace RecServe.Server.Dashboard;

/// <summary>One table tier's counters, as the embedding series export them.</summary>
public sealed record TableTierCounters(string Model, string Version, string Table, string Tier, double Lookups, double Hits, double Misses, double ResidentBytes);
