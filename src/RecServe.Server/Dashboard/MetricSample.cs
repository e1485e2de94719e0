namespace RecServe.Server.Dashboard;

/// <summary>One sample line of the Prometheus text exposition: a series name, its labels and its value.</summary>
public sealed record MetricSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    /// <summary>The value of label <paramref name="name"/>, or an empty string when the sample lacks it.</summary>
    public string Label(string name) => Labels.TryGetValue(name, out var value) ? value : "";
}
