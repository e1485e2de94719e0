namespace RecServe.Server.Dashboard;

/// <summary>What the JSON endpoint serialises: figures, tables and the per-second history, oldest first.</summary>
public sealed record DashboardView(
    DateTimeOffset At, IReadOnlyDictionary<string, DashboardModelFigures> Models, IReadOnlyList<TableTierCounters> Tables, IReadOnlyList<DashboardFrame> Frames);
