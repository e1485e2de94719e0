namespace RecServe.Server.Dashboard;

/// <summary>Every model's traffic point for one interval ending at <paramref name="At"/>.</summary>
public sealed record DashboardFrame(DateTimeOffset At, IReadOnlyDictionary<string, DashboardPoint> Points);
