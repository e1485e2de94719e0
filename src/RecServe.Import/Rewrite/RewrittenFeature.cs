namespace RecServe.Import.Rewrite;

/// <summary>A lookup after the rewrite: the graph input that now receives its embeddings, and what the manifest needs.</summary>
/// <param name="Lookup">What was found.</param>
/// <param name="GraphInput">The new float input of the dense graph.</param>
/// <param name="Dim">Values per row of the table.</param>
/// <param name="Rows">Rows of the table.</param>
/// <param name="MaxIdsPerRow">The widest bag: the id input's second dimension, 1 for one id per row.</param>
/// <param name="IdsToGraph">Whether the rewritten graph still reads the ids (a mask, say), so they are passed on.</param>
internal sealed record RewrittenFeature(EmbeddingLookup Lookup, string GraphInput, int Dim, long Rows, int MaxIdsPerRow, bool IdsToGraph);
