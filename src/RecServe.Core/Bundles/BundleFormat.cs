namespace RecServe.Core.Bundles;

/// <summary>Constants of the bundle format (docs/BUNDLE.md), version 1.</summary>
public static class BundleFormat
{
    /// <summary>The value of the manifest's <c>format</c> field.</summary>
    public const string FormatName = "recserve-bundle";

    /// <summary>The format version this code writes and the only one it reads.</summary>
    public const int Version = 1;

    /// <summary>Name of the manifest in a version folder; its presence makes the folder a bundle.</summary>
    public const string ManifestFileName = "model.json";

    /// <summary>Conventional name of the dense graph.</summary>
    public const string DefaultDenseGraph = "dense.onnx";

    /// <summary>Conventional folder of the tables.</summary>
    public const string TablesFolder = "tables";

    /// <summary>Suffix of the lengths input that makes a sparse feature ragged.</summary>
    public const string LengthsSuffix = ".lengths";

    /// <summary>Residency: rows loaded into process memory.</summary>
    public const string ResidencyMemory = "memory";

    /// <summary>Residency: rows memory-mapped from the table file.</summary>
    public const string ResidencyMapped = "mapped";

    /// <summary>Pooling names a sparse feature may use.</summary>
    public static IReadOnlyList<string> PoolingNames { get; } = ["sum", "mean", "none"];

    /// <summary>Row storage names a table may use.</summary>
    public static IReadOnlyList<string> TableDtypeNames { get; } = ["fp32", "fp16", "int8"];
}
