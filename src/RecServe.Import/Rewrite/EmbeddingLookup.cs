namespace RecServe.Import.Rewrite;

/// <summary>
/// One embedding lookup found in a graph: ids from a graph input, rows from a weight initializer, and the value
/// in the graph that the bundle's lookup (and pooling) will feed instead.
/// </summary>
/// <param name="IdInput">The graph input holding the ids; becomes the sparse feature's name.</param>
/// <param name="Weight">The initializer holding the rows; becomes a table (row i = id i).</param>
/// <param name="Pooling">"sum", "mean" or "none", as in the manifest.</param>
/// <param name="ReplacedValue">The graph value the new graph input stands for (a reduce's or the Gather's output).</param>
/// <param name="Pattern">What was recognised, for the import's report.</param>
/// <param name="PaddingMasked">Whether the graph masked negative (padding) ids itself, so requests may carry -1.</param>
internal sealed record EmbeddingLookup(string IdInput, string Weight, string Pooling, string ReplacedValue, string Pattern, bool PaddingMasked);
