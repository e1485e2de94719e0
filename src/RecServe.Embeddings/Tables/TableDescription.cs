using RecServe.Core.Tensors;

namespace RecServe.Embeddings.Tables;

/// <summary>
/// What a table is, from its <see cref="TableFormat.MetaFileName"/> alone (no row or index file is opened): enough
/// to serve the table from somewhere else, such as a cluster copy, and to tell one table content from another.
/// </summary>
/// <param name="Name">The table's name.</param>
/// <param name="Dim">Values per row.</param>
/// <param name="DataType">Row encoding.</param>
/// <param name="RowCount">Rows (distinct ids).</param>
/// <param name="DefaultRow">The row served for unknown ids (zeros unless the table says otherwise).</param>
/// <param name="ContentHash">
/// 16 hex digits that change whenever the rows, the index or the shape change: a hash of the files' checksums.
/// </param>
public sealed record TableDescription(string Name, int Dim, TensorDataType DataType, long RowCount, float[] DefaultRow, string ContentHash)
{
    /// <summary>How the table finds an id's row (metadata's index kind).</summary>
    public TableIndexKind IndexKind { get; init; }

    /// <summary>The id of row 0 of a <see cref="TableIndexKind.DenseRange"/> table; 0 otherwise.</summary>
    public long FirstId { get; init; }

    /// <summary>Bytes of one encoded row.</summary>
    public int RowStride => RowCodec.RowStride(Dim, DataType);
}
