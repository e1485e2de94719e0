namespace RecServe.Embeddings.Deltas;

/// <summary>One record of a validated delta, viewed in place.</summary>
public readonly ref struct DeltaRecord
{
    internal DeltaRecord(DeltaRecordKind kind, int tableIndex, long id, ReadOnlySpan<byte> row)
    {
        Kind = kind;
        TableIndex = tableIndex;
        Id = id;
        Row = row;
    }

    /// <summary>Upsert or delete.</summary>
    public DeltaRecordKind Kind { get; }

    /// <summary>Index into <see cref="DeltaFile.Tables"/>.</summary>
    public int TableIndex { get; }

    /// <summary>The feature id.</summary>
    public long Id { get; }

    /// <summary>The encoded row (one stride, see <see cref="Tables.RowCodec"/>) of an upsert; empty for a delete.</summary>
    public ReadOnlySpan<byte> Row { get; }
}
