namespace RecServe.Core.Signatures;

/// <summary>
/// What a sparse feature's id input accepts beyond its <see cref="TensorSpec"/>: the three layouts of
/// docs/BUNDLE.md ("Sparse features on the wire") and a bound on the ids per batch row.
/// </summary>
/// <param name="Feature">The feature's input name.</param>
/// <param name="MaxIdsPerRow">Most ids (or padded width) one batch row may carry.</param>
public sealed record SparseIdsSpec(string Feature, int MaxIdsPerRow)
{
    /// <summary>Suffix of the optional input that makes a feature ragged: <c>{feature}.lengths</c>.</summary>
    public const string LengthsSuffix = ".lengths";

    /// <summary>Name of the feature's optional lengths input, built once rather than per request.</summary>
    public string LengthsName { get; } = Feature + LengthsSuffix;
}
