using RecServe.Embeddings.Deltas;

namespace RecServe.Server.Hosting;

/// <summary>
/// Wakes the model poll as soon as a delta file appears under a model's base path, so a delta is applied within
/// moments of its rename into <c>deltas/</c> rather than at the next poll; the poll stays the fallback for events the
/// file system drops (network mounts, overflow).
/// </summary>
internal sealed class DeltaFileWatcher : IDisposable
{
    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly ChangeSignal _changed = new();

    /// <summary>Watches every folder of <paramref name="basePaths"/> that exists now.</summary>
    public DeltaFileWatcher(IEnumerable<string> basePaths)
    {
        foreach (var basePath in basePaths)
        {
            if (!Directory.Exists(basePath))
            {
                continue;
            }
            var watcher = new FileSystemWatcher(basePath, "*" + DeltaFormat.FileExtension)
            {
                IncludeSubdirectories = true,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size,
            };
            watcher.Created += (_, _) => _changed.Set();
            watcher.Changed += (_, _) => _changed.Set();
            watcher.Renamed += (_, _) => _changed.Set();
            watcher.EnableRaisingEvents = true;
            _watchers.Add(watcher);
        }
    }

    /// <summary>Runs <paramref name="poll"/> after each burst of delta file events until cancelled.</summary>
    public async Task RunAsync(Func<CancellationToken, Task> poll, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                if (await _changed.WaitAsync(Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false))
                {
                    await poll(cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Stops watching.</summary>
    public void Dispose()
    {
        foreach (var watcher in _watchers)
        {
            watcher.Dispose();
        }
        _changed.Dispose();
    }
}
