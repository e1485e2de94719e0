using RecServe.Core.Tensors;

namespace RecServe.Embeddings.Deltas;

/// <summary>A table as a delta file declares it: its schema and how many records of each kind touch it.</summary>
/// <param name="Schema">Name and row encoding.</param>
/// <param name="Upserts">Upsert records of this table.</param>
/// <param name="Deletes">Delete records of this table.</param>
public sealed record DeltaTable(DeltaTableSchema Schema, long Upserts, long Deletes)
{
    /// <summary>The table's name.</summary>
    public string Name => Schema.Name;

    /// <summary>Values per row.</summary>
    public int Dim => Schema.Dim;

    /// <summary>Row encoding.</summary>
    public TensorDataType DataType => Schema.DataType;
}
