namespace RecServe.Import;

/// <summary>How far a long step (writing one table) has got.</summary>
/// <param name="Stage">What is being done, e.g. "table emb_0".</param>
/// <param name="Done">Units done (rows).</param>
/// <param name="Total">Units in all.</param>
public readonly record struct ImportProgress(string Stage, long Done, long Total);
