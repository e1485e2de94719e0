namespace RecServe.Embeddings.Tables;

/// <summary>
/// The verified, read-only bytes of one table (index and rows, mapped or in memory), counted by the
/// <see cref="EmbeddingTable"/>s that read them: two versions of a model whose table did not change hold one copy
/// (<see cref="TableFileRegistry"/>). Each holder keeps its own overlay and hot cache; only these bytes are shared.
/// </summary>
internal sealed class SharedTableFiles
{
    private int _holders = 1;

    public SharedTableFiles(TableFileView indexFile, TableFileView rowsFile, IndexFileHeader indexHeader, RowFileHeader rowsHeader, TableContentKey? key)
    {
        IndexFile = indexFile;
        RowsFile = rowsFile;
        IndexHeader = indexHeader;
        RowsHeader = rowsHeader;
        Key = key;
    }

    public TableFileView IndexFile { get; }

    public TableFileView RowsFile { get; }

    public IndexFileHeader IndexHeader { get; }

    public RowFileHeader RowsHeader { get; }

    /// <summary>The registry's key, or null when the files were opened for one holder only.</summary>
    public TableContentKey? Key { get; }

    /// <summary>Adds a holder unless the last one already released the files.</summary>
    public bool TryAddHolder()
    {
        while (true)
        {
            var current = Volatile.Read(ref _holders);
            if (current <= 0)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref _holders, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    /// <summary>Drops a holder; returns true (and unmaps or frees the bytes) when it was the last.</summary>
    public bool Release()
    {
        if (Interlocked.Decrement(ref _holders) != 0)
        {
            return false;
        }
        IndexFile.Dispose();
        RowsFile.Dispose();
        return true;
    }
}
