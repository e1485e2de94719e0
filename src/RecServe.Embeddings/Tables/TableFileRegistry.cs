namespace RecServe.Embeddings.Tables;

/// <summary>
/// The tables open in this process by content (<see cref="TableContentKey"/>), so that a new model version whose
/// table files did not change maps (or reads) nothing new: memory during a swap grows only by what changed. Entries
/// leave when their last holder closes; a table written in place (see <see cref="TableFileView.ChangedInPlace"/>)
/// is never handed out again.
/// </summary>
internal static class TableFileRegistry
{
    private static readonly Dictionary<TableContentKey, SharedTableFiles> Open = new();
    private static readonly Lock Gate = new();

    /// <summary>Another holder of the files with <paramref name="key"/>, or null when none are open (or usable).</summary>
    public static SharedTableFiles? TryShare(TableContentKey key)
    {
        lock (Gate)
        {
            if (!Open.TryGetValue(key, out var files))
            {
                return null;
            }
            if (files.IndexFile.ChangedInPlace() || files.RowsFile.ChangedInPlace() || !files.TryAddHolder())
            {
                Open.Remove(key);
                return null;
            }
            return files;
        }
    }

    /// <summary>
    /// Records freshly opened files under their key; when another thread recorded the same content meanwhile, its
    /// files are returned instead (with a holder added) and the caller releases its own.
    /// </summary>
    public static SharedTableFiles Add(SharedTableFiles files)
    {
        var key = files.Key ?? throw new ArgumentException("files opened without a key cannot be shared", nameof(files));
        lock (Gate)
        {
            if (Open.TryGetValue(key, out var existing) && existing.TryAddHolder())
            {
                return existing;
            }
            Open[key] = files;
            return files;
        }
    }

    /// <summary>Drops a holder of <paramref name="files"/>; the last one removes the entry and unmaps or frees them.</summary>
    public static void Release(SharedTableFiles files)
    {
        if (files.Key is not { } key)
        {
            files.Release();
            return;
        }
        lock (Gate)
        {
            if (files.Release() && Open.TryGetValue(key, out var listed) && ReferenceEquals(listed, files))
            {
                Open.Remove(key);
            }
        }
    }

    /// <summary>How many distinct tables are open for sharing (for tests and diagnostics).</summary>
    public static int Count
    {
        get
        {
            lock (Gate)
            {
                return Open.Count;
            }
        }
    }
}
