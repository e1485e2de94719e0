namespace RecServe.Server.Dashboard;

/// <summary>
/// The last 15 minutes of per-second traffic points per model, kept in memory so that a page opened now shows
/// history at once. Fed one <see cref="MetricsSnapshot"/> per interval by <see cref="DashboardSampler"/>; read by
/// the JSON endpoint. Holds the raw snapshots of the last minute too, for windows longer than one interval.
/// </summary>
public sealed class DashboardHistory(int capacity = DashboardHistory.DefaultCapacity)
{
    /// <summary>Fifteen minutes of one-second points.</summary>
    public const int DefaultCapacity = 900;

    /// <summary>Seconds the headline figures (current QPS, latency) average over: one second is too noisy to read.</summary>
    public const double HeadlineSeconds = 5;

    /// <summary>Seconds the batch-size distribution covers.</summary>
    public const double BatchWindowSeconds = 60;

    private readonly Lock _lock = new();
    private readonly DashboardFrame[] _frames = new DashboardFrame[capacity];
    private readonly Queue<MetricsSnapshot> _recent = new();
    private int _next;
    private int _count;

    /// <summary>Adds the snapshot taken now: appends one point per model, measured since the previous snapshot.</summary>
    public void Record(MetricsSnapshot snapshot)
    {
        lock (_lock)
        {
            if (_recent.TryPeek(out _))
            {
                var previous = _recent.Last();
                var seconds = (snapshot.At - previous.At).TotalSeconds;
                var points = new Dictionary<string, DashboardPoint>(StringComparer.Ordinal);
                foreach (var (model, now) in snapshot.Models)
                {
                    points[model] = DashboardPoint.Between(previous.Models.GetValueOrDefault(model), now, seconds);
                }
                _frames[_next] = new DashboardFrame(snapshot.At, points);
                _next = (_next + 1) % _frames.Length;
                _count = Math.Min(_count + 1, _frames.Length);
            }
            _recent.Enqueue(snapshot);
            while (_recent.Count > 1 && (snapshot.At - _recent.Peek().At).TotalSeconds > BatchWindowSeconds)
            {
                _recent.Dequeue();
            }
        }
    }

    /// <summary>A consistent copy of what the dashboard shows; null before the first snapshot.</summary>
    public DashboardView? Read()
    {
        lock (_lock)
        {
            if (_recent.Count == 0)
            {
                return null;
            }
            var latest = _recent.Last();
            var headlineBase = Oldest(latest.At, HeadlineSeconds);
            var batchBase = Oldest(latest.At, BatchWindowSeconds);
            var frames = new DashboardFrame[_count];
            for (var i = 0; i < _count; i++)
            {
                frames[i] = _frames[(_next - _count + i + _frames.Length) % _frames.Length];
            }
            var models = new Dictionary<string, DashboardModelFigures>(StringComparer.Ordinal);
            foreach (var (model, now) in latest.Models)
            {
                var seconds = (latest.At - headlineBase.At).TotalSeconds;
                var headline = ReferenceEquals(headlineBase, latest) ? default : DashboardPoint.Between(headlineBase.Models.GetValueOrDefault(model), now, seconds);
                var batches = DashboardPoint.Delta(ReferenceEquals(batchBase, latest) ? null : batchBase.Models.GetValueOrDefault(model)?.BatchSize, now.BatchSize);
                models[model] = new DashboardModelFigures(headline, batches, now.QueueRows);
            }
            return new DashboardView(latest.At, models, latest.Tables, frames);
        }
    }

    // The oldest kept snapshot no more than `seconds` before `now`.
    private MetricsSnapshot Oldest(DateTimeOffset now, double seconds)
    {
        foreach (var snapshot in _recent)
        {
            if ((now - snapshot.At).TotalSeconds <= seconds + 0.5)
            {
                return snapshot;
            }
        }
        return _recent.Last();
    }
}
