namespace RecServe.Core.Bundles;

/// <summary>Constants of the bundle format (docs/BUNDLE.md), version 1.</summary>
public static class BundleFormat
{
    /// <summary>The value of the manifest's <c>format</c> field.</summary>
    public const string FormatName = "recserve-bundle";

    /// <summary>The format version this code writes by default (a manifest without a Redis tier).</summary>
    public const int Version = 1;

    /// <summary>
    /// Version 2 is version 1 plus the <c>redis</c> residency and the tier's <c>redis</c> object; a manifest that uses
    /// them declares it, so that a version 1 reader refuses the bundle by its version rather than by a field name.
    /// This build reads versions 1 and 2.
    /// </summary>
    public const int RedisTierVersion = 2;

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

    /// <summary>Residency: rows read from a Redis Cluster (tier settings in <see cref="BundleTier.Redis"/>).</summary>
    public const string ResidencyRedis = "redis";

    /// <summary>What a Redis tier does when a shard is unreachable: "degrade" (default rows, counted) or "fail" (UNAVAILABLE).</summary>
    public static IReadOnlyList<string> RedisFailureModes { get; } = ["degrade", "fail"];

    /// <summary>Pooling names a sparse feature may use.</summary>
    public static IReadOnlyList<string> PoolingNames { get; } = ["sum", "mean", "none"];

    /// <summary>Row storage names a table may use.</summary>
    public static IReadOnlyList<string> TableDtypeNames { get; } = ["fp32", "fp16", "int8"];
}
