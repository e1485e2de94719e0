namespace RecServe.Embeddings.Deltas;

/// <summary>What a delta record does to its id.</summary>
public enum DeltaRecordKind : byte
{
    /// <summary>Sets the id's row (inserting the id if the table lacks it).</summary>
    Upsert = 1,

    /// <summary>Removes the id: it gets the table's default row, as any unknown id.</summary>
    Delete = 2,
}
