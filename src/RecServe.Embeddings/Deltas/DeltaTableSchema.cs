using RecServe.Core.Tensors;
using RecServe.Embeddings.Tables;

namespace RecServe.Embeddings.Deltas;

/// <summary>A table a delta may touch: its name and row encoding. Deltas are checked against these before applying.</summary>
/// <param name="Name">The table's name (as in the bundle manifest and table metadata).</param>
/// <param name="Dim">Values per row.</param>
/// <param name="DataType">Row encoding: Float32, Float16 or Int8 (see <see cref="RowCodec"/>).</param>
public sealed record DeltaTableSchema(string Name, int Dim, TensorDataType DataType)
{
    /// <summary>Bytes of one encoded row.</summary>
    public int RowStride => RowCodec.RowStride(Dim, DataType);

    /// <summary>The schema of an opened table.</summary>
    public static DeltaTableSchema Of(EmbeddingTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return new DeltaTableSchema(table.Name, table.Dim, table.DataType);
    }
}
