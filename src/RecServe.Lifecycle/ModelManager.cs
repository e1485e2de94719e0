using Microsoft.Extensions.Logging;
using RecServe.Core.Errors;
using RecServe.Embeddings.Deltas.Streaming;
using RecServe.Lifecycle.Config;
using RecServe.Lifecycle.Deltas;
using RecServe.Lifecycle.Versions;
using RecServe.Lifecycle.Warmup;

namespace RecServe.Lifecycle;

/// <summary>
/// Decides which model versions are served and hands out leases on them. Versions are loaded beside the
/// ones serving; a new snapshot of the serving map is published with one atomic swap; a retired version
/// unloads once its in-flight requests finish. A version that fails to load never replaces a working one.
/// </summary>
public sealed partial class ModelManager : IDisposable
{
    private readonly IVersionLoader _loader;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly IVersionWarmup? _warmup;
    private readonly IDeltaObserver? _deltaObserver;
    private readonly Func<string, IDeltaStream?>? _deltaStreams;
    private readonly SemaphoreSlim _pollLock = new(1, 1);
    private readonly Dictionary<string, ModelTracker> _trackers = new(StringComparer.Ordinal);
    private ServingMap _map = ServingMap.Empty;
    private volatile IReadOnlyDictionary<string, ModelTracker> _trackerSnapshot = new Dictionary<string, ModelTracker>();

    /// <summary>Creates a manager serving nothing until <see cref="ApplyConfigAsync"/>.</summary>
    /// <param name="loader">Loads version folders.</param>
    /// <param name="logger">Where lifecycle events go.</param>
    /// <param name="time">The clock of status timestamps and the poll.</param>
    /// <param name="warmup">Runs on each loaded version before it serves, or null for none.</param>
    /// <param name="deltaObserver">Hears of deltas applied and refused, or null; one that is also an <see cref="IDeltaStreamObserver"/> hears of stream reads.</param>
    /// <param name="deltaStreams">Opens a model's delta stream (by model name), consumed by each of its served bundle versions; null or a null stream: none.</param>
    public ModelManager(IVersionLoader loader, ILogger<ModelManager> logger, TimeProvider? time = null, IVersionWarmup? warmup = null,
        IDeltaObserver? deltaObserver = null, Func<string, IDeltaStream?>? deltaStreams = null)
    {
        _deltaStreams = deltaStreams;
        _loader = loader;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _warmup = warmup;
        _deltaObserver = deltaObserver;
    }

    /// <summary>Names of the configured models.</summary>
    public IReadOnlyCollection<string> ModelNames => _trackerSnapshot.Keys.ToList();

    /// <summary>
    /// Leases the version a request asks for: <paramref name="version"/>, else the version <paramref name="label"/>
    /// points to, else the highest available. NOT_FOUND when there is none.
    /// </summary>
    public ServableHandle GetHandle(string modelName, long? version = null, string? label = null)
    {
        // A version retired between reading the map and leasing it refuses the lease; the next snapshot
        // no longer lists it, so a retry settles within a few iterations.
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var map = Volatile.Read(ref _map);
            if (!map.Models.TryGetValue(modelName, out var model) || model.Versions.Count == 0)
            {
                throw ServingException.NotFound(
                    _trackerSnapshot.ContainsKey(modelName)
                        ? $"model '{modelName}' has no version available yet"
                        : $"model '{modelName}' is not served; served models: {string.Join(", ", _trackerSnapshot.Keys)}");
            }
            var served = Resolve(model, modelName, version, label);
            if (served.TryAcquire())
            {
                return new ServableHandle(served);
            }
        }
        throw new ServingException(ServingErrorCode.Unavailable, $"model '{modelName}' is being swapped; retry");
    }

    private static ServableVersion Resolve(ServedModel model, string modelName, long? version, string? label)
    {
        if (version is { } wanted)
        {
            return model.Versions.TryGetValue(wanted, out var exact)
                ? exact
                : throw ServingException.NotFound($"model '{modelName}' version {wanted} is not available; available: {string.Join(", ", model.Versions.Keys)}");
        }
        if (!string.IsNullOrEmpty(label))
        {
            if (!model.Config.Labels.TryGetValue(label, out var labelled))
            {
                throw ServingException.NotFound($"model '{modelName}' has no version label '{label}'");
            }
            return model.Versions.TryGetValue(labelled, out var byLabel)
                ? byLabel
                : throw ServingException.NotFound($"model '{modelName}' label '{label}' points to version {labelled}, which is not available");
        }
        return model.Versions[model.Versions.Keys.Max()];
    }

    /// <summary>
    /// Status of a model's versions (newest first), or of one version. NOT_FOUND for an unknown model or a
    /// version never seen.
    /// </summary>
    public IReadOnlyList<VersionStatus> GetStatus(string modelName, long? version = null, string? label = null)
    {
        if (!_trackerSnapshot.TryGetValue(modelName, out var tracker))
        {
            throw ServingException.NotFound($"model '{modelName}' is not served");
        }
        if (!string.IsNullOrEmpty(label))
        {
            version = tracker.Config.Labels.TryGetValue(label, out var labelled)
                ? labelled
                : throw ServingException.NotFound($"model '{modelName}' has no version label '{label}'");
        }
        if (version is { } wanted)
        {
            return tracker.Statuses.TryGetValue(wanted, out var status)
                ? [status]
                : throw ServingException.NotFound($"model '{modelName}' has no version {wanted}");
        }
        return tracker.Statuses.Values.OrderByDescending(s => s.Version).ToList();
    }

    /// <summary>The delta stream consumers of every served version (empty without <c>deltaStreams</c>).</summary>
    public IReadOnlyList<DeltaStreamStatus> GetDeltaStreams()
    {
        var result = new List<DeltaStreamStatus>();
        foreach (var tracker in _trackerSnapshot.Values)
        {
            foreach (var stream in tracker.Streams.Values)
            {
                result.Add(stream.Status());
            }
        }
        result.Sort((a, b) => a.Model != b.Model ? string.CompareOrdinal(a.Model, b.Model) : b.Version.CompareTo(a.Version));
        return result;
    }

    /// <summary>Unloads every version (after in-flight requests finish).</summary>
    public void Dispose()
    {
        foreach (var tracker in _trackers.Values)
        {
            foreach (var stream in tracker.Streams.Values)
            {
                _ = stream.StopAsync();
            }
            tracker.Streams.Clear();
        }
        var map = Interlocked.Exchange(ref _map, ServingMap.Empty);
        foreach (var model in map.Models.Values)
        {
            foreach (var version in model.Versions.Values)
            {
                version.Release();
            }
        }
        _pollLock.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loading model {Model} version {Version} from {Path}")]
    private partial void LogLoading(string model, long version, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model} version {Version} is available (loaded in {Milliseconds} ms)")]
    private partial void LogAvailable(string model, long version, long milliseconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Model {Model} version {Version} failed to load: {Error}")]
    private partial void LogLoadFailed(string model, long version, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model} version {Version} retired; unloading after in-flight requests")]
    private partial void LogRetiring(string model, long version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Model}: the base path could not be scanned; versions served are kept: {Error}")]
    private partial void LogScanFailed(string model, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Model {Model} version {Version}: {Error}")]
    private partial void LogDeltaRefused(string model, long version, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model} version {Version} warmed up in {Milliseconds} ms")]
    private partial void LogWarmedUp(string model, long version, long milliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model} version {Version} unloaded")]
    private partial void LogUnloaded(string model, long version);
}
