using System.Collections.Immutable;
using System.Diagnostics;
using RecServe.Lifecycle.Config;
using RecServe.Lifecycle.Deltas;
using RecServe.Lifecycle.Sources;
using RecServe.Lifecycle.Versions;

namespace RecServe.Lifecycle;

public sealed partial class ModelManager
{
    /// <summary>
    /// Replaces the set of served models: new models are added, removed ones unloaded, changed policies and
    /// labels take effect; then one poll runs so the new config is served when this returns.
    /// </summary>
    public async Task ApplyConfigAsync(IReadOnlyList<ModelConfig> configs, CancellationToken cancellationToken = default)
    {
        await _pollLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var wanted = configs.ToDictionary(c => c.Name, StringComparer.Ordinal);
            foreach (var name in _trackers.Keys.ToList())
            {
                if (!wanted.ContainsKey(name))
                {
                    RetireModel(name);
                    _trackers.Remove(name);
                }
            }
            foreach (var config in configs)
            {
                if (_trackers.TryGetValue(config.Name, out var tracker))
                {
                    tracker.Config = config;
                }
                else
                {
                    _trackers[config.Name] = new ModelTracker(config);
                }
                Publish(config.Name, served => served with { Config = config });
            }
            _trackerSnapshot = new Dictionary<string, ModelTracker>(_trackers, StringComparer.Ordinal);
            await PollAllAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _pollLock.Release();
        }
    }

    /// <summary>Scans every model's base path once and loads or retires versions accordingly.</summary>
    public async Task PollAsync(CancellationToken cancellationToken = default)
    {
        await _pollLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await PollAllAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _pollLock.Release();
        }
    }

    /// <summary>Polls every <paramref name="interval"/> until cancelled.</summary>
    public async Task RunPollingAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                await PollAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task PollAllAsync(CancellationToken cancellationToken)
    {
        foreach (var tracker in _trackers.Values)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await PollModelAsync(tracker).ConfigureAwait(false);
        }
    }

    private async Task PollModelAsync(ModelTracker tracker)
    {
        var name = tracker.Config.Name;
        IReadOnlyList<VersionFolder> folders;
        try
        {
            folders = FileSystemVersionScanner.Scan(tracker.Config.BasePath);
        }
        catch (IOException e)
        {
            // As TF-Serving: an unreadable or vanished base path is an error, not an instruction to unload.
            LogScanFailed(name, e.Message);
            return;
        }

        RetireVersionsWithChangedFiles(tracker);

        // A folder is ready once it has stopped changing between two polls, so a version being copied in is
        // not loaded half-written. What is on disk at start-up is taken as complete, as TF-Serving does. A served
        // version stays ready while its folder changes: deltas arrive in it, and they must not retire it.
        var ready = new Dictionary<long, VersionFolder>();
        foreach (var folder in folders)
        {
            var stable = !tracker.Scanned
                || IsServed(name, folder.Version)
                || (tracker.LastFingerprints.TryGetValue(folder.Version, out var previous) && previous == folder.Fingerprint);
            if (stable)
            {
                ready[folder.Version] = folder;
            }
            else if (!tracker.Statuses.ContainsKey(folder.Version))
            {
                SetStatus(tracker, folder.Version, ModelVersionState.Start, null);
            }
        }
        tracker.LastFingerprints.Clear();
        foreach (var folder in folders)
        {
            tracker.LastFingerprints[folder.Version] = folder.Fingerprint;
        }
        tracker.Scanned = true;

        var aspired = tracker.Config.Policy.Select(ready.Keys);
        foreach (var version in aspired)
        {
            if (IsServed(name, version) || tracker.AwaitingUnload.ContainsKey(version))
            {
                continue;
            }
            var folder = ready[version];
            if (tracker.FailedFingerprints.TryGetValue(version, out var failed) && failed == folder.Fingerprint)
            {
                continue;
            }
            await LoadVersionAsync(tracker, folder).ConfigureAwait(false);
        }

        await PollDeltasAsync(tracker).ConfigureAwait(false);

        // Availability first: older versions stay until an aspired one serves (or none is aspired any more).
        var servedNow = ServedVersions(name);
        var anyAspiredServed = aspired.Any(servedNow.Contains);
        if (anyAspiredServed || aspired.Count == 0)
        {
            foreach (var version in servedNow)
            {
                if (!aspired.Contains(version))
                {
                    RetireVersion(name, version);
                }
            }
        }
        RemoveStateOfDeletedVersions(tracker, folders);
    }

    private async Task LoadVersionAsync(ModelTracker tracker, VersionFolder folder)
    {
        var name = tracker.Config.Name;
        SetStatus(tracker, folder.Version, ModelVersionState.Loading, null);
        LogLoading(name, folder.Version, folder.Path);
        var clock = Stopwatch.StartNew();
        try
        {
            // Loading runs on a thread of its own, never on a request's thread nor a thread-pool thread requests need.
            var model = await UpdateThread.Run(() => _loader.Load(tracker.Config, folder.Version, folder.Path)).ConfigureAwait(false);
            VersionDeltas? deltas;
            try
            {
                // Before the swap: the version goes live with its pending deltas applied and warmed up.
                deltas = await UpdateThread.Run(() => Prepare(name, folder, model)).ConfigureAwait(false);
            }
            catch
            {
                model.Dispose();
                throw;
            }
            var servable = new ServableVersion(name, folder.Version, model, unloaded => OnUnloaded(tracker, unloaded));
            tracker.FailedFingerprints.Remove(folder.Version);
            if (deltas is not null)
            {
                tracker.Deltas[folder.Version] = deltas;
            }
            Publish(name, served => served with { Versions = served.Versions.SetItem(folder.Version, servable) });
            SetStatus(tracker, folder.Version, ModelVersionState.Available, deltas?.Error);
            LogAvailable(name, folder.Version, clock.ElapsedMilliseconds);
            if (deltas is not null)
            {
                StartDeltaStream(tracker, folder.Version, servable, deltas);
            }
        }
        catch (Exception e)
        {
            tracker.FailedFingerprints[folder.Version] = folder.Fingerprint;
            SetStatus(tracker, folder.Version, ModelVersionState.End, e.Message);
            LogLoadFailed(name, folder.Version, e.Message);
        }
    }

    private VersionDeltas? Prepare(string name, VersionFolder folder, Runtime.IModel model)
    {
        var deltas = VersionDeltas.For(name, folder.Version, folder.Path, model, _deltaObserver);
        if (deltas is not null && deltas.Poll() && deltas.Error is { } error)
        {
            // A refused delta does not fail the load: the version serves the state before it, as a served one would.
            LogDeltaRefused(name, folder.Version, error);
        }
        if (_warmup is not null)
        {
            var clock = Stopwatch.StartNew();
            using var serving = TryLeaseNewest(name);
            _warmup.WarmUp(name, folder.Version, folder.Path, model, serving?.Model);
            LogWarmedUp(name, folder.Version, clock.ElapsedMilliseconds);
        }
        return deltas;
    }

    private ServableHandle? TryLeaseNewest(string name)
    {
        if (!_map.Models.TryGetValue(name, out var served) || served.Versions.Count == 0)
        {
            return null;
        }
        var newest = served.Versions[served.Versions.Keys.Max()];
        return newest.TryAcquire() ? new ServableHandle(newest) : null;
    }

    private async Task PollDeltasAsync(ModelTracker tracker)
    {
        foreach (var (version, deltas) in tracker.Deltas)
        {
            // Applying a large delta takes seconds: off the thread pool, as loading is.
            if (await UpdateThread.Run(deltas.Poll).ConfigureAwait(false))
            {
                if (deltas.Error is { } error)
                {
                    LogDeltaRefused(tracker.Config.Name, version, error);
                }
                SetStatus(tracker, version, ModelVersionState.Available, deltas.StatusError);
            }
        }
    }

    /// <summary>
    /// Starts the version's delta stream consumer when the server has streams (after the version serves: a stream that is
    /// down must not hold up a load). Its problems join the version's status as file delta refusals do.
    /// </summary>
    private void StartDeltaStream(ModelTracker tracker, long version, ServableVersion servable, VersionDeltas deltas)
    {
        var stream = _deltaStreams?.Invoke(tracker.Config.Name);
        if (stream is null)
        {
            return;
        }
        var consumer = new VersionDeltaStream(tracker.Config.Name, version, servable, deltas.Bundle, stream, _deltaObserver, _time, _logger, error =>
        {
            deltas.StreamError = error;
            // Only an available version's error changes here; loading, unloading and failed states keep theirs.
            if (tracker.Statuses.TryGetValue(version, out var status) && status.State == ModelVersionState.Available)
            {
                tracker.Statuses.TryUpdate(version, status with { Error = deltas.StatusError }, status);
            }
        });
        tracker.Streams[version] = consumer;
        consumer.Start();
    }

    private void OnUnloaded(ModelTracker tracker, ServableVersion version)
    {
        tracker.AwaitingUnload.TryRemove(version.Version, out _);
        // A version failed or reloaded since keeps its newer status.
        if (tracker.Statuses.TryGetValue(version.Version, out var status) && status.State == ModelVersionState.Unloading)
        {
            SetStatus(tracker, version.Version, ModelVersionState.End, null);
        }
        LogUnloaded(version.ModelName, version.Version);
    }

    private void RetireVersion(string name, long version)
    {
        ServableVersion? removed = null;
        Publish(name, served =>
        {
            removed = served.Versions.GetValueOrDefault(version);
            return served with { Versions = served.Versions.Remove(version) };
        });
        if (removed is not null)
        {
            if (_trackers.TryGetValue(name, out var tracker))
            {
                SetStatus(tracker, version, ModelVersionState.Unloading, null);
                if (tracker.Streams.TryRemove(version, out var stream))
                {
                    _ = stream.StopAsync();
                }
                if (tracker.Deltas.Remove(version, out var deltas))
                {
                    deltas.Close();
                }
            }
            LogRetiring(name, version);
            removed.Release();
        }
    }

    private void RetireModel(string name)
    {
        foreach (var version in ServedVersions(name))
        {
            RetireVersion(name, version);
        }
        var map = _map;
        Volatile.Write(ref _map, map with { Models = map.Models.Remove(name) });
    }

    private bool IsServed(string name, long version) =>
        _map.Models.TryGetValue(name, out var model) && model.Versions.ContainsKey(version);

    private List<long> ServedVersions(string name) =>
        _map.Models.TryGetValue(name, out var model) ? model.Versions.Keys.ToList() : [];

    // Only the polling thread (holding _pollLock) writes the map, so read-modify-write needs no CAS loop.
    private void Publish(string name, Func<ServedModel, ServedModel> change)
    {
        var map = _map;
        var current = map.Models.TryGetValue(name, out var model)
            ? model
            : new ServedModel(_trackers[name].Config, ImmutableSortedDictionary<long, ServableVersion>.Empty);
        Volatile.Write(ref _map, map with { Models = map.Models.SetItem(name, change(current)) });
    }

    private void SetStatus(ModelTracker tracker, long version, ModelVersionState state, string? error) =>
        tracker.Statuses[version] = new VersionStatus(version, state, error, _time.GetUtcNow());
}
