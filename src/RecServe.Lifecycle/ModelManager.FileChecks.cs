using Microsoft.Extensions.Logging;
using RecServe.Lifecycle.Versions;

namespace RecServe.Lifecycle;

// Served versions whose files changed on disk after loading (docs/SECURITY.md, "Files are never trusted").
public sealed partial class ModelManager
{
    /// <summary>
    /// Retires every served version of the model whose mapped files were written in place (it already refuses
    /// requests, see <c>BundleFileWatch</c>), so that the poll reloads it from the folder once the folder has stopped
    /// changing, verifying every checksum again; a version whose files were replaced keeps serving what it loaded and
    /// is reported once.
    /// </summary>
    private void RetireVersionsWithChangedFiles(ModelTracker tracker)
    {
        var name = tracker.Config.Name;
        if (!_map.Models.TryGetValue(name, out var served))
        {
            return;
        }
        foreach (var (version, servable) in served.Versions)
        {
            var change = servable.Model.CheckFiles();
            if (change is null)
            {
                tracker.ReportedReplacedFiles.Remove(version);
            }
            else if (change.Torn)
            {
                LogFilesChangedInPlace(name, version, change.Message);
                tracker.AwaitingUnload[version] = 0;
                RetireVersion(name, version);
                SetStatus(tracker, version, ModelVersionState.End, change.Message);
                tracker.ReportedReplacedFiles.Remove(version);
            }
            else if (tracker.ReportedReplacedFiles.Add(version))
            {
                LogFilesReplaced(name, version, change.Message);
            }
        }
    }

    /// <summary>
    /// Deletes the state (delta overlay) of versions whose folders left the base path, keeping every version that is
    /// on disk, served, unloading or about to reload, so that a model store that keeps only recent versions does not
    /// leave their overlays behind forever.
    /// </summary>
    private void RemoveStateOfDeletedVersions(ModelTracker tracker, IReadOnlyList<Sources.VersionFolder> onDisk)
    {
        var keep = new HashSet<long>(onDisk.Select(f => f.Version));
        keep.UnionWith(ServedVersions(tracker.Config.Name));
        keep.UnionWith(tracker.AwaitingUnload.Keys);
        foreach (var (version, status) in tracker.Statuses)
        {
            if (status.State is ModelVersionState.Loading or ModelVersionState.Unloading)
            {
                keep.Add(version);
            }
        }
        try
        {
            foreach (var version in _loader.RemoveStateExcept(tracker.Config, keep))
            {
                LogStateRemoved(tracker.Config.Name, version);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogStateRemovalFailed(tracker.Config.Name, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model} version {Version} left the base path; its state (delta overlay) was deleted")]
    private partial void LogStateRemoved(string model, long version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Model}: the state of deleted versions could not be removed: {Error}")]
    private partial void LogStateRemovalFailed(string model, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Model {Model} version {Version} retired, reloading when its folder is stable: {Reason}")]
    private partial void LogFilesChangedInPlace(string model, long version, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Model} version {Version}: {Reason}")]
    private partial void LogFilesReplaced(string model, long version, string reason);
}
