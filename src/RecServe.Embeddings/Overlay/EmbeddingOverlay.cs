using System.Globalization;
using RecServe.Embeddings.Deltas;
using RecServe.Embeddings.Tables;

namespace RecServe.Embeddings.Overlay;

/// <summary>
/// The mutable overlay of one model version's tables: rows changed by deltas since the base snapshot, durable in
/// RocksDB and served from an immutable in-memory snapshot per table that every lookup through
/// <see cref="Kernels.EmbeddingPooling"/>, <see cref="Kernels.RowGather"/> or
/// <see cref="EmbeddingTable.ReadRowOrDefault"/> consults first. Deltas apply in seq order, exactly once, all or
/// nothing: an apply validates the whole file, builds the new snapshots aside, commits records and seq in one synced
/// batch, then swaps the snapshots in. Applies are serialised; lookups never wait for them.
/// </summary>
public sealed class EmbeddingOverlay : IDisposable
{
    private readonly OverlayStore _store;
    private readonly EmbeddingTable[] _tables;
    private readonly DeltaTableSchema[] _schemas;
    private readonly Dictionary<string, int> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DenseWeightUpdate> _dense = new(StringComparer.Ordinal);
    private readonly Lock _applyLock = new();
    private readonly IRemoteDeltaTarget? _remote;
    private long _lastApplied;
    private bool _disposed;

    private EmbeddingOverlay(OverlayStore store, EmbeddingTable[] tables, DeltaTableSchema[] schemas, IRemoteDeltaTarget? remote)
    {
        _store = store;
        _tables = tables;
        _schemas = schemas;
        _remote = remote;
        for (var t = 0; t < tables.Length; t++)
        {
            _byName.Add(tables[t].Name, t);
        }
    }

    /// <summary>The RocksDB folder.</summary>
    public string Directory => _store.Directory;

    /// <summary>The seq of the last delta applied; 0 before the first.</summary>
    public long LastAppliedSeq => Volatile.Read(ref _lastApplied);

    /// <summary>Where the version's delta stream consumer stopped, as committed with the last delta it applied or skipped; null before any.</summary>
    public string? StreamPosition
    {
        get
        {
            lock (_applyLock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                return _store.StreamPosition;
            }
        }
    }

    /// <summary>The tables' names and encodings, as deltas are checked against them.</summary>
    public IReadOnlyList<DeltaTableSchema> Schemas => _schemas;

    /// <summary>The latest replacement of each dense weight applied so far, for the runtime to apply to its graph.</summary>
    public IReadOnlyList<DenseWeightUpdate> DenseWeights
    {
        get
        {
            lock (_applyLock)
            {
                return [.. _dense.Values];
            }
        }
    }

    /// <summary>The conventional overlay folder of a model version: <c>&lt;state&gt;/&lt;model&gt;/&lt;version&gt;/overlay</c>.</summary>
    public static string DirectoryFor(string stateDirectory, string modelName, long version) =>
        Path.Combine(stateDirectory, modelName, version.ToString(CultureInfo.InvariantCulture), "overlay");

    /// <summary>
    /// Opens (or creates) the overlay in <paramref name="directory"/> over <paramref name="tables"/>, loads what
    /// earlier applies stored and attaches it to the tables, so that lookups see it from now on.
    /// </summary>
    /// <remarks>
    /// Tables of <paramref name="remote"/> (rows outside the process) take part in every delta: their records are
    /// validated and logged like the others, handed to <paramref name="remote"/> before the commit, and their changed ids
    /// reported, but no snapshot is published for them here.
    /// </remarks>
    /// <exception cref="InvalidOperationException">The store was made for tables of another dim or dtype, or a table already has an overlay.</exception>
    public static EmbeddingOverlay Open(string directory, IEnumerable<EmbeddingTable> tables, IRemoteDeltaTarget? remote = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(tables);
        EmbeddingTable[] list = [.. tables];
        var remoteSchemas = remote?.Schemas ?? [];
        var schemas = new DeltaTableSchema[list.Length + remoteSchemas.Count];
        for (var t = 0; t < list.Length; t++)
        {
            schemas[t] = DeltaTableSchema.Of(list[t]);
        }
        for (var t = 0; t < remoteSchemas.Count; t++)
        {
            schemas[list.Length + t] = remoteSchemas[t];
        }
        var store = OverlayStore.Open(directory);
        var attached = 0;
        EmbeddingOverlay? overlay = null;
        try
        {
            store.RegisterTables(schemas);
            overlay = new EmbeddingOverlay(store, list, schemas, remote) { _lastApplied = store.LastAppliedSeq };
            foreach (var dense in store.LoadDense())
            {
                overlay._dense[dense.Name] = dense;
            }
            var snapshots = store.LoadTables(schemas);
            for (; attached < list.Length; attached++)
            {
                list[attached].AttachOverlay(overlay);
                list[attached].PublishOverlay(snapshots[attached]);
            }
            return overlay;
        }
        catch
        {
            for (var t = 0; t < attached; t++)
            {
                list[t].DetachOverlay(overlay!);
            }
            store.Dispose();
            throw;
        }
    }

    /// <summary>Ids the overlay changes in <paramref name="table"/> (upserted or deleted).</summary>
    public int ChangedIdCount(string table) => _tables[IndexOf(table)].OverlayIdCount;

    /// <summary>Reads, validates and applies the delta at <paramref name="path"/>.</summary>
    /// <exception cref="DeltaFormatException">The delta is corrupt or does not fit the tables; nothing changed.</exception>
    /// <exception cref="DeltaSequenceException">The delta skips a seq; nothing changed.</exception>
    public DeltaApplyResult Apply(string path, Action<DeltaApplyStage>? progress = null) =>
        Apply(DeltaFile.Open(path, _schemas), progress);

    /// <summary>
    /// Applies a validated delta: skipped when its seq is already applied, refused when it skips a seq, otherwise
    /// all of it, durably, then visibly.
    /// </summary>
    /// <exception cref="DeltaFormatException">The delta does not fit the tables; nothing changed.</exception>
    /// <exception cref="DeltaSequenceException">The delta skips a seq; nothing changed.</exception>
    /// <exception cref="IOException">Writing the overlay failed (a full disk); nothing changed.</exception>
    public DeltaApplyResult Apply(DeltaFile delta, Action<DeltaApplyStage>? progress = null) => ApplyCore(delta, null, progress);

    /// <summary>
    /// Applies a validated delta read from a stream, as <see cref="Apply(DeltaFile, Action{DeltaApplyStage}?)"/> does, and
    /// commits <paramref name="streamPosition"/> with its rows and seq in the same batch (alone when the delta is skipped),
    /// so that the consumer resumes after it, exactly once, whatever crashes when.
    /// </summary>
    /// <exception cref="DeltaFormatException">The delta does not fit the tables; nothing changed.</exception>
    /// <exception cref="DeltaSequenceException">The delta skips a seq; nothing changed.</exception>
    /// <exception cref="IOException">Writing the overlay failed (a full disk); nothing changed.</exception>
    public DeltaApplyResult Apply(DeltaFile delta, string streamPosition, Action<DeltaApplyStage>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(streamPosition);
        return ApplyCore(delta, streamPosition, progress);
    }

    /// <summary>Moves the stream position alone, for entries that changed nothing (skipped or refused).</summary>
    /// <exception cref="IOException">Writing the overlay failed.</exception>
    public void RecordStreamPosition(string streamPosition)
    {
        ArgumentNullException.ThrowIfNull(streamPosition);
        lock (_applyLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _store.WriteStreamPosition(streamPosition);
        }
    }

    private DeltaApplyResult ApplyCore(DeltaFile delta, string? streamPosition, Action<DeltaApplyStage>? progress)
    {
        ArgumentNullException.ThrowIfNull(delta);
        delta.CheckTargets(_schemas);
        lock (_applyLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (delta.Seq <= _lastApplied)
            {
                if (streamPosition is not null)
                {
                    _store.WriteStreamPosition(streamPosition);
                }
                return DeltaApplyResult.Skipped(delta);
            }
            if (delta.Seq != _lastApplied + 1)
            {
                throw new DeltaSequenceException(delta.Path, delta.Seq, _lastApplied);
            }
            progress?.Invoke(DeltaApplyStage.Validated);
            // Remote copies first: if they cannot take the delta, nothing is committed here and a later apply retries.
            _remote?.Apply(delta);
            var (targets, snapshots, changes) = BuildSnapshots(delta);
            progress?.Invoke(DeltaApplyStage.Persisting);
            _store.Commit(delta, streamPosition);
            Volatile.Write(ref _lastApplied, delta.Seq);
            progress?.Invoke(DeltaApplyStage.Persisted);
            for (var t = 0; t < targets.Length; t++)
            {
                targets[t]?.PublishOverlay(snapshots[t]);
            }
            foreach (var dense in delta.DenseUpdates)
            {
                _dense[dense.Name] = dense;
            }
            progress?.Invoke(DeltaApplyStage.Published);
            long upserts = 0;
            long deletes = 0;
            foreach (var table in delta.Tables)
            {
                upserts += table.Upserts;
                deletes += table.Deletes;
            }
            return new DeltaApplyResult(delta.Path, delta.Seq, true, upserts, deletes, changes, delta.DenseUpdates);
        }
    }

    /// <summary>
    /// Applies, in seq order, the deltas in <paramref name="deltasFolder"/> (files <c>&lt;seq&gt;.delta</c>) that come after
    /// <see cref="LastAppliedSeq"/>, stopping before the first missing seq: later files wait until it appears.
    /// Returns the deltas applied; <paramref name="applied"/> hears of each as soon as it is visible, so a caller learns of
    /// the ones applied before a later delta throws.
    /// </summary>
    /// <exception cref="DeltaFormatException">A delta is corrupt, misnamed or does not fit; the ones before it stay applied.</exception>
    public IReadOnlyList<DeltaApplyResult> ApplyPending(string deltasFolder, Action<DeltaApplyStage>? progress = null, Action<DeltaApplyResult>? applied = null)
    {
        var results = new List<DeltaApplyResult>();
        if (!System.IO.Directory.Exists(deltasFolder))
        {
            return results;
        }
        var pending = new SortedDictionary<long, string>();
        foreach (var file in System.IO.Directory.EnumerateFiles(deltasFolder, "*" + DeltaFormat.FileExtension))
        {
            if (long.TryParse(Path.GetFileNameWithoutExtension(file), NumberStyles.None, CultureInfo.InvariantCulture, out var seq) && seq > LastAppliedSeq)
            {
                pending[seq] = file;
            }
        }
        foreach (var (seq, file) in pending)
        {
            if (seq != LastAppliedSeq + 1)
            {
                break;
            }
            var delta = DeltaFile.Open(file, _schemas);
            if (delta.Seq != seq)
            {
                throw new DeltaFormatException(file, $"holds seq {delta.Seq}, its name says {seq}");
            }
            var result = Apply(delta, progress);
            results.Add(result);
            applied?.Invoke(result);
        }
        return results;
    }

    // Targets and snapshots are null for remote tables: their rows live elsewhere, only their changed ids are reported.
    private (EmbeddingTable?[] Targets, OverlaySnapshot?[] Snapshots, TableChange[] Changes) BuildSnapshots(DeltaFile delta)
    {
        var count = delta.Tables.Count;
        var targets = new EmbeddingTable?[count];
        var builders = new OverlaySnapshotBuilder?[count];
        var ids = new long[count][];
        var filled = new int[count];
        for (var t = 0; t < count; t++)
        {
            var table = delta.Tables[t];
            if (_byName.TryGetValue(table.Name, out var index))
            {
                targets[t] = _tables[index];
                builders[t] = new OverlaySnapshotBuilder(_tables[index].Overlay, table.Schema.RowStride, table.Upserts + table.Deletes, table.Upserts);
            }
            ids[t] = new long[table.Upserts + table.Deletes];
        }
        foreach (var record in delta.Records)
        {
            var t = record.TableIndex;
            if (record.Kind == DeltaRecordKind.Upsert)
            {
                builders[t]?.Upsert(record.Id, record.Row);
            }
            else
            {
                builders[t]?.Delete(record.Id);
            }
            ids[t][filled[t]++] = record.Id;
        }
        var snapshots = new OverlaySnapshot?[count];
        var changes = new TableChange[count];
        for (var t = 0; t < count; t++)
        {
            snapshots[t] = builders[t]?.Build();
            changes[t] = new TableChange(delta.Tables[t].Name, ids[t]);
        }
        return (targets, snapshots, changes);
    }

    private int IndexOf(string table) =>
        _byName.TryGetValue(table, out var index) ? index : throw new ArgumentException($"table '{table}' is not in the overlay", nameof(table));

    /// <summary>Detaches the overlay from its tables (lookups see the base rows again) and closes the store.</summary>
    public void Dispose()
    {
        lock (_applyLock)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            foreach (var table in _tables)
            {
                table.DetachOverlay(this);
            }
            _store.Dispose();
        }
    }
}
