using RecServe.Embeddings.Cache;
using RecServe.Embeddings.Deltas;
using RecServe.Embeddings.Overlay;

namespace RecServe.Runtime.Bundles;

/// <summary>
/// The delta side of one served bundle version: its <see cref="EmbeddingOverlay"/> (opened over the version's tables
/// at load) and the hot-row caches that must forget rows a delta changed. Lookups read through the overlay by
/// themselves; this type only applies deltas and keeps the caches honest.
/// </summary>
public sealed class BundleDeltas : IDisposable
{
    private readonly EmbeddingOverlay _overlay;
    private readonly Dictionary<string, HotRowCache> _caches = new(StringComparer.Ordinal);

    internal BundleDeltas(EmbeddingOverlay overlay, IEnumerable<ServedTable> tables)
    {
        _overlay = overlay;
        foreach (var table in tables)
        {
            if (table.Cache is { } cache)
            {
                _caches[table.Name] = cache;
            }
        }
    }

    /// <summary>The overlay's RocksDB folder.</summary>
    public string Directory => _overlay.Directory;

    /// <summary>The seq of the last delta applied to this version; 0 before the first.</summary>
    public long LastAppliedSeq => _overlay.LastAppliedSeq;

    /// <summary>
    /// Applies the deltas of <paramref name="deltasFolder"/> after <see cref="LastAppliedSeq"/>, in order, stopping at a
    /// gap; each applied delta's changed ids are dropped from the caches, then reported to <paramref name="applied"/>.
    /// </summary>
    /// <exception cref="DeltaFormatException">A delta is corrupt or does not fit; it changed nothing, those before it stay applied.</exception>
    /// <exception cref="DeltaSequenceException">A delta's seq does not follow; it changed nothing.</exception>
    public IReadOnlyList<DeltaApplyResult> ApplyPending(string deltasFolder, Action<DeltaApplyResult>? applied = null) =>
        _overlay.ApplyPending(deltasFolder, applied: result =>
        {
            OnApplied(result);
            applied?.Invoke(result);
        });

    /// <summary>The tables' names and encodings, to validate a delta against before applying it.</summary>
    public IReadOnlyList<DeltaTableSchema> Schemas => _overlay.Schemas;

    /// <summary>Where this version's delta stream consumer stopped, committed with the last delta it applied or skipped; null before any.</summary>
    public string? StreamPosition => _overlay.StreamPosition;

    /// <summary>
    /// Applies one delta read from a stream through the same path as a file (<see cref="ApplyPending"/>): skipped when
    /// its seq is applied already, refused when it skips one; its rows, seq and <paramref name="streamPosition"/> are
    /// committed together, then the changed ids leave the caches.
    /// </summary>
    /// <exception cref="DeltaFormatException">The delta does not fit the tables; nothing changed.</exception>
    /// <exception cref="DeltaSequenceException">The delta's seq does not follow; nothing changed.</exception>
    /// <exception cref="IOException">Writing the overlay failed; nothing changed.</exception>
    public DeltaApplyResult Apply(DeltaFile delta, string streamPosition)
    {
        var result = _overlay.Apply(delta, streamPosition);
        if (result.Applied)
        {
            OnApplied(result);
        }
        return result;
    }

    /// <summary>Moves the stream position alone, past entries that changed nothing (skipped or refused).</summary>
    /// <exception cref="IOException">Writing the overlay failed.</exception>
    public void RecordStreamPosition(string streamPosition) => _overlay.RecordStreamPosition(streamPosition);

    // Every applied delta, from a file or a stream, passes here once it is visible.
    private void OnApplied(DeltaApplyResult result) =>
        // After the overlay publishes: a reader that cached the old row before this point is dropped here.
        Invalidate(result);

    private void Invalidate(DeltaApplyResult result)
    {
        foreach (var change in result.Changes)
        {
            if (_caches.TryGetValue(change.Table, out var cache))
            {
                cache.Invalidate(change.Ids);
            }
        }
    }

    /// <summary>Detaches the overlay from the tables and closes its store.</summary>
    public void Dispose() => _overlay.Dispose();
}
