namespace RecServe.Embeddings.Tables;

/// <summary>
/// What makes two table folders hold the same bytes: the sizes and payload checksums (XXH3) their metadata lists and
/// their binary headers repeat, and how they are held. Rows are verified when the first holder opens them; a later
/// folder with this key is served those verified bytes, which are exactly what its own metadata asks for.
/// </summary>
internal readonly record struct TableContentKey(
    long IndexBytes, ulong IndexChecksum, long RowsBytes, ulong RowsChecksum, TableResidency Residency, bool RowsVerified);
