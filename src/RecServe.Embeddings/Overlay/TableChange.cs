namespace RecServe.Embeddings.Overlay;

/// <summary>
/// Ids of one table whose rows an applied delta changed (upserted or deleted), in record order and possibly
/// repeated: what a cache in front of the table must invalidate.
/// </summary>
/// <param name="Table">The table's name.</param>
/// <param name="Ids">The changed ids.</param>
public sealed record TableChange(string Table, long[] Ids);
