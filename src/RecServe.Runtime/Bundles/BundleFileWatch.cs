using RecServe.Embeddings.Tables;

namespace RecServe.Runtime.Bundles;

/// <summary>
/// Watches a bundle version's table files while it serves. A mapped file written in place would hand requests a mix
/// of old and new rows, so the moment the file system reports a write (inotify, through
/// <see cref="FileSystemWatcher"/>) the files are compared with what was opened and, if one changed in place, the
/// version turns <see cref="TornReason"/> and refuses every request from then on, until the lifecycle poller, which
/// calls <see cref="Check"/> on each poll as well (events can be missed, or the watcher unavailable), reloads it.
/// </summary>
internal sealed class BundleFileWatch : IDisposable
{
    private readonly EmbeddingTable[] _tables;
    private readonly FileSystemWatcher? _watcher;
    private volatile string? _tornReason;

    public BundleFileWatch(string versionPath, IEnumerable<EmbeddingTable> tables)
    {
        _tables = tables.ToArray();
        if (_tables.Length == 0)
        {
            return;
        }
        try
        {
            _watcher = new FileSystemWatcher(versionPath)
            {
                IncludeSubdirectories = true,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.Attributes,
            };
            _watcher.Changed += (_, _) => Check();
            _watcher.Deleted += (_, _) => Check();
            _watcher.Renamed += (_, _) => Check();
            _watcher.EnableRaisingEvents = true;
        }
        catch (Exception e) when (e is IOException or PlatformNotSupportedException or UnauthorizedAccessException or ArgumentException)
        {
            // Out of inotify instances, say: the poller's checks still find the change, only later.
            _watcher?.Dispose();
            _watcher = null;
        }
    }

    /// <summary>Why the version must not serve any more (a mapped file changed in place), or null.</summary>
    public string? TornReason => _tornReason;

    /// <summary>Compares every table's files with what was opened; a change in place also sets <see cref="TornReason"/>.</summary>
    public ModelFileChange? Check()
    {
        ModelFileChange? replaced = null;
        foreach (var table in _tables)
        {
            (TableFileChange Change, string? Path) found;
            try
            {
                found = table.CheckFiles();
            }
            catch (ObjectDisposedException)
            {
                return null; // a late event after the version unloaded
            }
            if (found.Change == TableFileChange.ChangedInPlace)
            {
                var reason = $"table '{table.Name}': {found.Path} was written in place while mapped; this version refuses requests until it is reloaded (replace files by renaming, or publish a new version)";
                _tornReason ??= reason;
                return new ModelFileChange(Torn: true, _tornReason);
            }
            if (found.Change == TableFileChange.Replaced)
            {
                replaced ??= new ModelFileChange(Torn: false,
                    $"table '{table.Name}': {found.Path} was replaced on disk after loading; this version keeps serving the file it loaded (publish changes as a new version or a delta)");
            }
        }
        return _tornReason is { } torn ? new ModelFileChange(true, torn) : replaced;
    }

    public void Dispose() => _watcher?.Dispose();
}
