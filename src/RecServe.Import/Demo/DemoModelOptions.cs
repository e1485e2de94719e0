using RecServe.Core.Bundles;
using RecServe.Core.Tensors;

namespace RecServe.Import.Demo;

/// <summary>The shape of a synthetic bundle written by <see cref="DemoModelWriter"/>.</summary>
public sealed record DemoModelOptions
{
    /// <summary>Rows per table; ids are the row numbers 0..Rows-1.</summary>
    public long Rows { get; init; } = 100_000;

    /// <summary>Values per row.</summary>
    public int Dim { get; init; } = 16;

    /// <summary>Number of tables, and of sparse features f_0..f_{Tables-1} (one per table).</summary>
    public int Tables { get; init; } = 4;

    /// <summary>max_ids_per_row of every feature.</summary>
    public int Bag { get; init; } = 4;

    /// <summary>Width of the dense input; 0 for none.</summary>
    public int Dense { get; init; } = 13;

    /// <summary>Units of each hidden layer of the top MLP, input side first (e.g. 1024, 1024, 512, 256 for an MLPerf-DLRM-sized top network).</summary>
    public IReadOnlyList<int> Hidden { get; init; } = [32];

    /// <summary>
    /// Units of each layer of a bottom MLP over the dense input, input side first (MLPerf DLRMv2: 512, 256, 128);
    /// empty to feed the dense input straight into the interaction.
    /// </summary>
    public IReadOnlyList<int> Bottom { get; init; } = [];

    /// <summary>DCNv2 cross layers between the interaction's concat and the top MLP (MLPerf DLRMv2: 3); 0 for none.</summary>
    public int CrossLayers { get; init; }

    /// <summary>Rank of each cross layer's weight (MLPerf DLRMv2: 512); 0 for a full-rank square weight.</summary>
    public int CrossRank { get; init; } = 512;

    /// <summary>Row storage: Float32, Float16 or Int8.</summary>
    public TensorDataType TableDataType { get; init; } = TensorDataType.Float32;

    /// <summary>Residency of every table.</summary>
    public string Residency { get; init; } = BundleFormat.ResidencyMapped;

    /// <summary>Hot-row cache budget of every table, in bytes.</summary>
    public long CacheBytes { get; init; }

    /// <summary>Seed of rows and weights: the same options write the same bundle.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>
    /// Write the hash index although the ids are 0..rows-1 (table format version 1): for servers that read only
    /// version 1, and to compare with the dense key-range index that is written otherwise.
    /// </summary>
    public bool HashIndex { get; init; }

    /// <summary>Receives table-writing progress; null for none.</summary>
    public IProgress<ImportProgress>? Progress { get; init; }
}
