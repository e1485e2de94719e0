using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RecServe.Lifecycle;
using RecServe.Lifecycle.Config;

namespace RecServe.Server.Hosting;

/// <summary>
/// Loads the configured models before the server takes traffic, then polls for new versions; when models come
/// from a config file, re-reads it whenever it changes (file-system events, with the poll as a fallback). A
/// config file that does not parse is logged and ignored: the models served stay as they were.
/// </summary>
internal sealed partial class ModelPollingService(
    ModelManager manager, IReadOnlyList<ModelConfig> models, TimeSpan interval, string? configFile, ILogger<ModelPollingService> logger) : BackgroundService
{
    private readonly ChangeSignal _configChanged = new();
    private string? _configFingerprint;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // The first load completes before Kestrel starts listening, so the first request finds the models.
        _configFingerprint = configFile is null ? null : Fingerprint(configFile);
        await manager.ApplyConfigAsync(models, cancellationToken).ConfigureAwait(false);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var polling = manager.RunPollingAsync(interval, stoppingToken);
        using var deltas = new DeltaFileWatcher(models.Select(m => m.BasePath));
        var deltaPolling = deltas.RunAsync(manager.PollAsync, stoppingToken);
        if (configFile is not null)
        {
            await WatchConfigAsync(configFile, stoppingToken).ConfigureAwait(false);
        }
        await Task.WhenAll(polling, deltaPolling).ConfigureAwait(false);
    }

    private async Task WatchConfigAsync(string path, CancellationToken stoppingToken)
    {
        using var watcher = new FileSystemWatcher(Path.GetDirectoryName(Path.GetFullPath(path))!, Path.GetFileName(path))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.FileName | NotifyFilters.CreationTime,
        };
        FileSystemEventHandler changed = (_, _) => _configChanged.Set();
        watcher.Changed += changed;
        watcher.Created += changed;
        watcher.Renamed += (_, _) => _configChanged.Set();
        watcher.EnableRaisingEvents = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _configChanged.WaitAsync(interval, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            await ReloadIfChangedAsync(path, stoppingToken).ConfigureAwait(false);
        }
    }

    private async Task ReloadIfChangedAsync(string path, CancellationToken stoppingToken)
    {
        var fingerprint = Fingerprint(path);
        if (fingerprint == _configFingerprint)
        {
            return;
        }
        _configFingerprint = fingerprint;
        try
        {
            var configs = ModelConfigFile.Load(path);
            await manager.ApplyConfigAsync(configs, stoppingToken).ConfigureAwait(false);
            LogReloaded(path, configs.Count);
        }
        catch (Exception e) when (e is FormatException or IOException)
        {
            LogReloadFailed(path, e.Message);
        }
    }

    private static string? Fingerprint(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? $"{info.Length}:{info.LastWriteTimeUtc.Ticks}:{File.ReadAllText(path).GetHashCode(StringComparison.Ordinal)}" : null;
    }

    public override void Dispose()
    {
        _configChanged.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Model config {Path} reloaded: {Count} models")]
    private partial void LogReloaded(string path, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Model config {Path} not applied, the served models are unchanged: {Error}")]
    private partial void LogReloadFailed(string path, string error);
}
