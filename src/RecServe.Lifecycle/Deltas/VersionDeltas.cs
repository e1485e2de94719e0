using System.Globalization;
using System.Text;
using RecServe.Embeddings.Deltas;
using RecServe.Runtime;
using RecServe.Runtime.Batching;
using RecServe.Runtime.Bundles;

namespace RecServe.Lifecycle.Deltas;

/// <summary>
/// Applies the <c>deltas/</c> folder of one served version: every poll applies what follows the last applied seq, in
/// order, stopping at a gap. A refused delta becomes <see cref="Error"/> (model status shows it) and is not retried
/// until the folder changes, so one bad file is counted once, not once per poll.
/// </summary>
internal sealed class VersionDeltas
{
    /// <summary>The folder under a version that holds its deltas.</summary>
    public const string FolderName = "deltas";

    private readonly string _model;
    private readonly long _version;
    private readonly BundleDeltas _deltas;
    private readonly string _folder;
    private readonly IDeltaObserver? _observer;
    private string? _refusedFolderState;

    private VersionDeltas(string model, long version, BundleDeltas deltas, string folder, IDeltaObserver? observer)
    {
        _model = model;
        _version = version;
        _deltas = deltas;
        _folder = folder;
        _observer = observer;
    }

    /// <summary>Why the last delta tried was refused, or null when every delta present up to a gap is applied.</summary>
    public string? Error { get; private set; }

    /// <summary>The version's delta stream consumer's problem (set by it), or null.</summary>
    public string? StreamError { get; set; }

    /// <summary>What model status shows: the file error, the stream error, or both.</summary>
    public string? StatusError => Error is null ? StreamError : StreamError is null ? Error : $"{Error}; {StreamError}";

    /// <summary>The version's overlay, for a stream consumer to apply through.</summary>
    public BundleDeltas Bundle => _deltas;

    /// <summary>The deltas of <paramref name="model"/> when it is a bundle loaded with an overlay; else null.</summary>
    public static VersionDeltas? For(string modelName, long version, string versionPath, IModel model, IDeltaObserver? observer)
    {
        var inner = model is BatchingModel batching ? batching.Inner : model;
        return inner is BundleModel { Deltas: { } deltas }
            ? new VersionDeltas(modelName, version, deltas, Path.Combine(versionPath, FolderName), observer)
            : null;
    }

    /// <summary>Applies what is pending; returns whether <see cref="Error"/> changed.</summary>
    public bool Poll()
    {
        var before = Error;
        if (Error is not null && FolderState() == _refusedFolderState)
        {
            return false;
        }
        try
        {
            _deltas.ApplyPending(_folder, result =>
            {
                if (result.Applied)
                {
                    _observer?.OnApplied(_model, _version, result);
                }
            });
            Error = null;
            _refusedFolderState = null;
        }
        catch (Exception e) when (e is DeltaFormatException or Embeddings.Overlay.DeltaSequenceException or IOException or UnauthorizedAccessException)
        {
            Error = string.Create(CultureInfo.InvariantCulture,
                $"delta refused, the version keeps serving delta seq {_deltas.LastAppliedSeq}: {e.Message}");
            // A remote store that was unreachable may come back: retry at the next poll, not only when the folder changes.
            _refusedFolderState = e is Embeddings.Overlay.DeltaTargetUnavailableException ? null : FolderState();
            _observer?.OnRefused(_model, _version, e.Message);
        }
        _observer?.OnLastSeq(_model, _version, _deltas.LastAppliedSeq);
        return !string.Equals(before, Error, StringComparison.Ordinal);
    }

    /// <summary>Tells the observer the version is gone.</summary>
    public void Close() => _observer?.OnClosed(_model, _version);

    // Names, sizes and write times of the delta files: a refused delta is retried once any of them changes.
    private string FolderState()
    {
        if (!Directory.Exists(_folder))
        {
            return string.Empty;
        }
        var files = Directory.GetFiles(_folder, "*" + DeltaFormat.FileExtension);
        Array.Sort(files, StringComparer.Ordinal);
        var state = new StringBuilder();
        foreach (var file in files)
        {
            var info = new FileInfo(file);
            state.Append(info.Name).Append('|').Append(info.Length).Append('|').Append(info.LastWriteTimeUtc.Ticks).Append(';');
        }
        return state.ToString();
    }
}
