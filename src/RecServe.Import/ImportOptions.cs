using RecServe.Core.Bundles;
using RecServe.Core.Tensors;
using RecServe.Runtime;
using RecServe.Runtime.Onnx;

namespace RecServe.Import;

/// <summary>Settings of <see cref="BundleImporter"/>.</summary>
public sealed record ImportOptions
{
    /// <summary>
    /// Default of <see cref="MinRows"/>. Lookups exist for tables of any size, but a table of a few dozen rows
    /// (weekday, device type) costs less as a graph constant than as a lookup stage, and small Gathers on
    /// constants are common in exported graphs; 64 rows keeps those in the graph while every real embedding
    /// table moves out (the example model's smallest has 100 rows).
    /// </summary>
    public const long DefaultMinRows = 64;

    /// <summary>How tables store rows: Float32, Float16 or Int8.</summary>
    public TensorDataType TableDataType { get; init; } = TensorDataType.Float32;

    /// <summary>Initializers with fewer rows stay in the graph.</summary>
    public long MinRows { get; init; } = DefaultMinRows;

    /// <summary>Residency written into each table's tier ("mapped" or "memory").</summary>
    public string Residency { get; init; } = BundleFormat.ResidencyMapped;

    /// <summary>max_ids_per_row for bags whose width the graph leaves symbolic.</summary>
    public int DefaultMaxIdsPerRow { get; init; } = 64;

    /// <summary>Compare the bundle with the original model before publishing it.</summary>
    public bool SelfCheck { get; init; } = true;

    /// <summary>ONNX Runtime settings of the self-check's sessions.</summary>
    public OnnxModelOptions Onnx { get; init; } = new() { IntraOpThreads = 1, InterOpThreads = 1 };

    /// <summary>Loads the written bundle for the self-check; <see cref="ModelLoader.Load(string, OnnxModelOptions)"/> unless a test says otherwise.</summary>
    public Func<string, OnnxModelOptions, IModel> LoadBundle { get; init; } = ModelLoader.Load;

    /// <summary>Seed of the self-check's random inputs.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Receives table-writing progress; null for none.</summary>
    public IProgress<ImportProgress>? Progress { get; init; }
}
