namespace RecServe.Embeddings.Redis;

/// <summary>How far a push got: reported after every chunk.</summary>
/// <param name="RowsDone">Rows in the cluster, counting those of an earlier, interrupted push.</param>
/// <param name="RowsTotal">Rows of the table.</param>
public sealed record RedisPushProgress(long RowsDone, long RowsTotal);
