namespace RecServe.Embeddings.Tables;

/// <summary>The index section of <see cref="TableMeta"/>.</summary>
internal sealed class TableIndexMeta
{
    public const string OpenAddressingKind = "open-addressing";

    public const string FibonacciLinearProbeHash = "fibonacci-linear-probe";

    public string Kind { get; set; } = "";

    public string Hash { get; set; } = "";

    public long BucketCount { get; set; }

    /// <summary>The key value marking a free bucket; the id equal to it is stored beside the buckets.</summary>
    public long EmptyKey { get; set; }
}
