using Microsoft.Extensions.Logging;
using RecServe.Embeddings.Deltas;
using RecServe.Embeddings.Deltas.Streaming;
using RecServe.Embeddings.Overlay;
using RecServe.Lifecycle.Versions;
using RecServe.Runtime.Bundles;

namespace RecServe.Lifecycle.Deltas;

/// <summary>
/// Consumes a model's delta stream for one served version: reads entries after the position committed with the last
/// delta (XREAD BLOCK, so a publish is seen at once), puts publications back together, and applies each complete delta
/// through <see cref="BundleDeltas.Apply(DeltaFile, string)"/>, the path file deltas take, committing the stream position
/// with its rows. Seq decides exactly-once: a delta already applied (also dropped as a file, or read again after a
/// restart) is skipped; one that comes too early waits in memory for the seq before it. A publication refused whole is
/// reported and passed; the ones after it wait for its seq until it is published again or dropped as a file.
/// Reads run as async I/O; everything else runs on the update thread under a lease on the version, so a retired version
/// is never written to after it unloads.
/// </summary>
internal sealed partial class VersionDeltaStream
{
    private const int ReadCount = 16;
    private const int MaxWaiting = 64;
    private static readonly TimeSpan Block = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(2);

    private readonly string _model;
    private readonly long _version;
    private readonly ServableVersion _servable;
    private readonly BundleDeltas _deltas;
    private readonly IDeltaStream _stream;
    private readonly IDeltaObserver? _observer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action<string?> _errorChanged;
    private readonly CancellationTokenSource _stop = new();
    private readonly DeltaStreamAssembler _assembler = new();
    private readonly SortedDictionary<long, WaitingDelta> _waiting = [];
    private readonly List<DeltaStreamOutcome> _outcomes = [];
    private readonly Lock _statusLock = new();
    private StreamEntryId _cursor;
    private string? _savedPosition;
    private DeltaStreamState _state = DeltaStreamState.Connecting;
    private DateTimeOffset? _caughtUpAt;
    private DateTimeOffset? _lastAppliedPublishedAt;
    private long _entries;
    private long _applied;
    private long _skipped;
    private long _refused;
    private long _readErrors;
    private string? _refusal;
    private string? _unreachable;
    private Task _loop = Task.CompletedTask;

    private sealed record WaitingDelta(DeltaFile Delta, StreamEntryId FirstEntry, DateTimeOffset PublishedAt);

    public VersionDeltaStream(string model, long version, ServableVersion servable, BundleDeltas deltas, IDeltaStream stream,
        IDeltaObserver? observer, TimeProvider time, ILogger logger, Action<string?> errorChanged)
    {
        _model = model;
        _version = version;
        _servable = servable;
        _deltas = deltas;
        _stream = stream;
        _observer = observer;
        _time = time;
        _logger = logger;
        _errorChanged = errorChanged;
    }

    /// <summary>The consumer's current problem for model status, or null.</summary>
    public string? Error
    {
        get
        {
            lock (_statusLock)
            {
                return _refusal ?? _unreachable;
            }
        }
    }

    /// <summary>Starts consuming (the version is already served).</summary>
    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Stops consuming; an apply in flight finishes under its lease. Completes when the loop has ended.</summary>
    public Task StopAsync()
    {
        _stop.Cancel();
        return _loop;
    }

    /// <summary>A snapshot for metrics and the dashboard.</summary>
    public DeltaStreamStatus Status()
    {
        var now = _time.GetUtcNow();
        lock (_statusLock)
        {
            DateTimeOffset? oldestUnapplied = _assembler.OpenPublishedAt;
            foreach (var waiting in _waiting.Values)
            {
                oldestUnapplied = oldestUnapplied is null || waiting.PublishedAt < oldestUnapplied ? waiting.PublishedAt : oldestUnapplied;
            }
            var since = oldestUnapplied ?? _caughtUpAt ?? _lastAppliedPublishedAt;
            var lag = since is null ? double.NaN : Math.Max(0, (now - since.Value).TotalSeconds);
            var waitingFor = _waiting.Count > 0 ? _deltas.LastAppliedSeq + 1 : 0;
            return new DeltaStreamStatus(_model, _version, _stream.Description, _state, _cursor.ToString(), _deltas.LastAppliedSeq, waitingFor,
                _lastAppliedPublishedAt, lag, _entries, _applied, _skipped, _refused, _readErrors, _refusal ?? _unreachable);
        }
    }

    private async Task RunAsync(CancellationToken stop)
    {
        try
        {
            if (!TryResume())
            {
                return;
            }
            var backoff = TimeSpan.FromMilliseconds(250);
            while (!stop.IsCancellationRequested)
            {
                if (_waiting.Count >= MaxWaiting)
                {
                    // Read no further ahead than memory allows; a file delta may still fill the gap.
                    await Task.Delay(Block, _time, stop).ConfigureAwait(false);
                    if (!await ProcessAsync([], stop).ConfigureAwait(false))
                    {
                        return;
                    }
                    continue;
                }
                IReadOnlyList<DeltaStreamEntry> entries;
                try
                {
                    entries = await _stream.ReadAsync(_cursor, ReadCount, Block, stop).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
                {
                    OnUnreachable(e);
                    await Task.Delay(backoff, _time, stop).ConfigureAwait(false);
                    backoff = backoff * 2 > MaxBackoff ? MaxBackoff : backoff * 2;
                    continue;
                }
                backoff = TimeSpan.FromMilliseconds(250);
                var answeredAt = _time.GetUtcNow();
                OnReachable(entries.Count);
                if (!await ProcessAsync(entries, stop).ConfigureAwait(false))
                {
                    return;
                }
                lock (_statusLock)
                {
                    if (entries.Count < ReadCount && _waiting.Count == 0 && _assembler.OpenSince is null)
                    {
                        // Redis answered with everything it had: the version is current as of that answer.
                        _caughtUpAt = answeredAt;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // A bug, not a stream problem: say so where operators look, rather than end the loop silently.
            SetRefusal($"delta stream {_stream.Description} consumer stopped: {e.Message}");
            LogRefused(_logger, _model, _version, $"delta stream consumer stopped: {e}");
        }
        finally
        {
            lock (_statusLock)
            {
                _state = DeltaStreamState.Stopped;
            }
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Starts after the position committed for this stream, or at its beginning (seq decides what applies).</summary>
    private bool TryResume()
    {
        if (!_servable.TryAcquire())
        {
            return false;
        }
        try
        {
            _savedPosition = _deltas.StreamPosition;
            _cursor = ParsePosition(_savedPosition);
            return true;
        }
        finally
        {
            _servable.Release();
        }
    }

    // A committed position is "<id> <stream description>"; one from another stream (moved, renamed) starts over at 0-0.
    private StreamEntryId ParsePosition(string? position)
    {
        if (position is null)
        {
            return StreamEntryId.Zero;
        }
        var space = position.IndexOf(' ', StringComparison.Ordinal);
        return space > 0 && position[(space + 1)..] == _stream.Description && StreamEntryId.TryParse(position[..space], out var id)
            ? id
            : StreamEntryId.Zero;
    }

    /// <summary>
    /// Handles a batch of entries on the update thread: putting parts together, validating and applying deltas take CPU
    /// and disk for as long as a delta is large, and must not hold a thread that requests need. False when the version is gone.
    /// </summary>
    private Task<bool> ProcessAsync(IReadOnlyList<DeltaStreamEntry> entries, CancellationToken stop)
    {
        if (entries.Count == 0 && _waiting.Count == 0)
        {
            // An idle read: nothing to put together, apply or remember.
            return Task.FromResult(!stop.IsCancellationRequested);
        }
        return UpdateThread.Run(() => Process(entries));
    }

    private bool Process(IReadOnlyList<DeltaStreamEntry> entries)
    {
        if (!_servable.TryAcquire())
        {
            return false;
        }
        try
        {
            foreach (var entry in entries)
            {
                _outcomes.Clear();
                lock (_statusLock)
                {
                    _cursor = entry.Id;
                    _entries++;
                    _assembler.Add(entry, _outcomes);
                }
                foreach (var outcome in _outcomes)
                {
                    Take(outcome);
                }
                ApplyReady();
            }
            ApplyReady();
            var position = Position();
            if (position != _savedPosition)
            {
                // Entries that changed nothing (skipped, refused) moved the position: keep it, so a restart does not reread them.
                _deltas.RecordStreamPosition(position);
                _savedPosition = position;
            }
            return true;
        }
        catch (IOException e)
        {
            // The overlay could not be written (a full disk): nothing of the delta applied; it stays waiting and is retried.
            SetRefusal($"delta stream {_stream.Description}: {e.Message}");
            return true;
        }
        finally
        {
            _servable.Release();
        }
    }

    private void Take(DeltaStreamOutcome outcome)
    {
        if (outcome.File is null)
        {
            Refuse(outcome.Seq, outcome.Refusal!);
            return;
        }
        DeltaFile delta;
        try
        {
            delta = DeltaFile.Parse(outcome.File, $"{_stream.Description} entries {outcome.FirstEntry}..{outcome.LastEntry}", _deltas.Schemas);
        }
        catch (DeltaFormatException e)
        {
            Refuse(outcome.Seq, e.Message);
            return;
        }
        lock (_statusLock)
        {
            if (delta.Seq <= _deltas.LastAppliedSeq)
            {
                _skipped++;
            }
            else
            {
                // A second publication of a waiting seq is the same delta again, or a mistake: the first one read wins.
                _waiting.TryAdd(delta.Seq, new WaitingDelta(delta, outcome.FirstEntry, outcome.PublishedAt));
            }
        }
    }

    /// <summary>Applies waiting deltas while the next one follows the last applied seq.</summary>
    private void ApplyReady()
    {
        while (true)
        {
            WaitingDelta next;
            string position;
            lock (_statusLock)
            {
                if (_waiting.Count == 0)
                {
                    _state = DeltaStreamState.Reading;
                    return;
                }
                var (seq, waiting) = _waiting.First();
                var last = _deltas.LastAppliedSeq;
                if (seq <= last)
                {
                    _waiting.Remove(seq);
                    _skipped++;
                    continue;
                }
                if (seq != last + 1)
                {
                    _state = DeltaStreamState.WaitingForSeq;
                    return;
                }
                _waiting.Remove(seq);
                next = waiting;
                position = Position();
            }
            DeltaApplyResult result;
            try
            {
                result = _deltas.Apply(next.Delta, position);
            }
            catch (Exception e) when (e is DeltaFormatException or DeltaSequenceException)
            {
                Refuse(next.Delta.Seq, e.Message);
                continue;
            }
            catch (IOException)
            {
                lock (_statusLock)
                {
                    _waiting.TryAdd(next.Delta.Seq, next);
                }
                throw;
            }
            _savedPosition = position;
            if (result.Applied)
            {
                lock (_statusLock)
                {
                    _applied++;
                    _lastAppliedPublishedAt = next.PublishedAt;
                }
                _observer?.OnApplied(_model, _version, result);
                _observer?.OnLastSeq(_model, _version, _deltas.LastAppliedSeq);
                LogApplied(_logger, _model, _version, result.Seq, result.Upserts, result.Deletes, (_time.GetUtcNow() - next.PublishedAt).TotalMilliseconds);
                SetRefusal(null);
            }
            else
            {
                lock (_statusLock)
                {
                    _skipped++;
                }
            }
        }
    }

    /// <summary>
    /// The position to commit: the last entry read, or just before the first entry of a delta still being put together
    /// or waiting, so that a restart reads those again (memory is not durable).
    /// </summary>
    private string Position()
    {
        StreamEntryId? oldest = _assembler.OpenSince;
        foreach (var waiting in _waiting.Values)
        {
            oldest = oldest is null || waiting.FirstEntry < oldest ? waiting.FirstEntry : oldest;
        }
        var id = oldest?.Previous() ?? _cursor;
        return $"{id} {_stream.Description}";
    }

    private void Refuse(long seq, string why)
    {
        lock (_statusLock)
        {
            _refused++;
        }
        var message = seq > 0 ? $"delta seq {seq} from the stream refused: {why}" : $"delta stream entry refused: {why}";
        SetRefusal($"{message}; the version keeps serving delta seq {_deltas.LastAppliedSeq}");
        _observer?.OnRefused(_model, _version, why);
        (_observer as IDeltaStreamObserver)?.OnStreamError(_model, _version, "refused");
        LogRefused(_logger, _model, _version, message);
    }

    private void OnUnreachable(Exception e)
    {
        bool first;
        lock (_statusLock)
        {
            _readErrors++;
            first = _state != DeltaStreamState.Unreachable;
            _state = DeltaStreamState.Unreachable;
        }
        (_observer as IDeltaStreamObserver)?.OnStreamError(_model, _version, "unreachable");
        if (first)
        {
            LogUnreachable(_logger, _model, _version, _stream.Description, e.Message);
            SetUnreachable($"delta stream {_stream.Description} unreachable since {_time.GetUtcNow():O}: {e.Message}");
        }
    }

    private void OnReachable(int entries)
    {
        bool wasDown;
        lock (_statusLock)
        {
            wasDown = _state == DeltaStreamState.Unreachable;
            if (_state is DeltaStreamState.Unreachable or DeltaStreamState.Connecting)
            {
                _state = DeltaStreamState.Reading;
            }
        }
        if (wasDown)
        {
            LogReachable(_logger, _model, _version, _stream.Description, _cursor.ToString());
        }
        SetUnreachable(null);
        if (entries > 0)
        {
            (_observer as IDeltaStreamObserver)?.OnStreamEntries(_model, _version, entries);
        }
    }

    private void SetRefusal(string? error)
    {
        string? before;
        string? after;
        lock (_statusLock)
        {
            before = _refusal ?? _unreachable;
            _refusal = error;
            after = _refusal ?? _unreachable;
        }
        if (!string.Equals(before, after, StringComparison.Ordinal))
        {
            _errorChanged(after);
        }
    }

    private void SetUnreachable(string? error)
    {
        string? before;
        string? after;
        lock (_statusLock)
        {
            before = _refusal ?? _unreachable;
            _unreachable = error;
            after = _refusal ?? _unreachable;
        }
        if (!string.Equals(before, after, StringComparison.Ordinal))
        {
            _errorChanged(after);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model} version {Version}: delta seq {Seq} from the stream applied ({Upserts} upserts, {Deletes} deletes), {Milliseconds:F0} ms after publish")]
    private static partial void LogApplied(ILogger logger, string model, long version, long seq, long upserts, long deletes, double milliseconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Model {Model} version {Version}: {Error}")]
    private static partial void LogRefused(ILogger logger, string model, long version, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Model} version {Version}: delta stream {Stream} unreachable, serving continues, retrying: {Error}")]
    private static partial void LogUnreachable(ILogger logger, string model, long version, string stream, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model} version {Version}: delta stream {Stream} reachable again, resuming after {Position}")]
    private static partial void LogReachable(ILogger logger, string model, long version, string stream, string position);
}
