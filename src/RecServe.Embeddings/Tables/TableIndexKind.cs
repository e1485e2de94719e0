namespace RecServe.Embeddings.Tables;

/// <summary>How a table finds the row of an id.</summary>
public enum TableIndexKind
{
    /// <summary>An open-addressing hash index stored in the table's index file (any set of ids; about 20 bytes per row).</summary>
    OpenAddressing,

    /// <summary>Ids are first, first + 1, … in row order: the row is the id minus the first, and no index is stored.</summary>
    DenseRange,
}
