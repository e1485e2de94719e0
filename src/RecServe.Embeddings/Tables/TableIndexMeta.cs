using System.Text.Json.Serialization;

namespace RecServe.Embeddings.Tables;

/// <summary>The index section of <see cref="TableMeta"/>.</summary>
internal sealed class TableIndexMeta
{
    public const string OpenAddressingKind = "open-addressing";

    public const string FibonacciLinearProbeHash = "fibonacci-linear-probe";

    /// <summary>Ids <see cref="FirstId"/>, FirstId + 1, … at rows 0, 1, …; format version 2.</summary>
    public const string DenseRangeKind = "dense-range";

    public string Kind { get; set; } = "";

    public string Hash { get; set; } = "";

    public long BucketCount { get; set; }

    /// <summary>The key value marking a free bucket; the id equal to it is stored beside the buckets.</summary>
    public long EmptyKey { get; set; }

    /// <summary>The id of row 0 of a <see cref="DenseRangeKind"/> index; absent for the hash index.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? FirstId { get; set; }
}
