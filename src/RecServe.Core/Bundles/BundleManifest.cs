namespace RecServe.Core.Bundles;

/// <summary>
/// The contents of a bundle's <c>model.json</c> (see docs/BUNDLE.md): what the model takes and returns, which
/// graph runs the dense stage, and the embedding tables the sparse stage reads. Property names are written in
/// snake_case on disk.
/// </summary>
public sealed class BundleManifest
{
    /// <summary>Always <see cref="BundleFormat.FormatName"/>; tells a bundle manifest from any other JSON file.</summary>
    public string Format { get; set; } = BundleFormat.FormatName;

    /// <summary>The bundle format version the file was written for (<see cref="BundleFormat.Version"/>).</summary>
    public int FormatVersion { get; set; } = BundleFormat.Version;

    /// <summary>Path of the dense ONNX graph, relative to the version folder.</summary>
    public string DenseGraph { get; set; } = BundleFormat.DefaultDenseGraph;

    /// <summary>Inputs passed to the dense graph as they arrive (same name in the request and in the graph).</summary>
    public List<BundleDenseInput> DenseInputs { get; set; } = [];

    /// <summary>Id inputs looked up in tables; each becomes one float input of the dense graph.</summary>
    public List<BundleSparseFeature> SparseFeatures { get; set; } = [];

    /// <summary>Outputs of the dense graph, which are the model's outputs.</summary>
    public List<BundleOutput> Outputs { get; set; } = [];

    /// <summary>The embedding tables, each stored in its own folder.</summary>
    public List<BundleTable> Tables { get; set; } = [];

    /// <summary>Free-form provenance (who wrote the bundle, from what); never interpreted.</summary>
    public Dictionary<string, string>? Producer { get; set; }
}

/// <summary>A dense input: a tensor fed to the dense graph unchanged.</summary>
public sealed class BundleDenseInput
{
    /// <summary>Name in requests and in the dense graph.</summary>
    public string Name { get; set; } = "";

    /// <summary>Element type: "float32", "float64", "float16", "int8", "uint8", "int32", "int64", "bool" or "string".</summary>
    public string Dtype { get; set; } = "";

    /// <summary>Dimensions, -1 where any size is accepted; the first is the batch.</summary>
    public long[] Shape { get; set; } = [];
}

/// <summary>A sparse feature: int64 ids per batch row, looked up in a table and pooled.</summary>
public sealed class BundleSparseFeature
{
    /// <summary>Name of the id input in requests (and <c>{name}.lengths</c> for ragged ids).</summary>
    public string Name { get; set; } = "";

    /// <summary>The table the ids are looked up in; several features may share a table.</summary>
    public string Table { get; set; } = "";

    /// <summary>"sum", "mean" or "none" (see <see cref="BundleFormat.PoolingNames"/>).</summary>
    public string Pooling { get; set; } = "sum";

    /// <summary>Most ids one batch row may carry; more is an invalid request.</summary>
    public int MaxIdsPerRow { get; set; } = 1;

    /// <summary>
    /// The dense graph's float input that receives the embeddings: [batch, dim] pooled, or [batch, L, dim] for
    /// pooling "none" (L: the request's padded width, or its longest ragged bag; zeros after a row's last id).
    /// </summary>
    public string GraphInput { get; set; } = "";

    /// <summary>
    /// Also pass the ids to the dense graph, as an int64 input named <see cref="Name"/> ([batch] or [batch, L],
    /// ragged ids padded with -1), for graphs that use the ids beyond the lookup (a padding mask, say).
    /// </summary>
    public bool IdsToGraph { get; set; }
}

/// <summary>An output of the model.</summary>
public sealed class BundleOutput
{
    /// <summary>Name in responses and in the dense graph.</summary>
    public string Name { get; set; } = "";

    /// <summary>Element type, as for <see cref="BundleDenseInput.Dtype"/>.</summary>
    public string Dtype { get; set; } = "";

    /// <summary>Dimensions, -1 where dynamic.</summary>
    public long[] Shape { get; set; } = [];
}

/// <summary>One embedding table and how to serve it.</summary>
public sealed class BundleTable
{
    /// <summary>The table's name, unique in the bundle.</summary>
    public string Name { get; set; } = "";

    /// <summary>Folder of the table files, relative to the version folder (normally <c>tables/{name}</c>).</summary>
    public string Path { get; set; } = "";

    /// <summary>Values per row.</summary>
    public int Dim { get; set; }

    /// <summary>Row storage: "fp32", "fp16" or "int8" (row-wise scale and bias).</summary>
    public string Dtype { get; set; } = "fp32";

    /// <summary>Number of rows (distinct ids); checked against the table files when loading.</summary>
    public long Rows { get; set; }

    /// <summary>Where the rows live while serving.</summary>
    public BundleTier Tier { get; set; } = new();
}

/// <summary>The storage tiers of one table.</summary>
public sealed class BundleTier
{
    /// <summary>
    /// "memory" (loaded into process memory), "mapped" (memory-mapped from local disk) or "redis" (read from a Redis
    /// Cluster, see <see cref="Redis"/>; format version 2).
    /// </summary>
    public string Residency { get; set; } = BundleFormat.ResidencyMapped;

    /// <summary>Byte budget of the hot-row cache in front of the table; 0 for none.</summary>
    public long CacheBytes { get; set; }

    /// <summary>Where the cluster is, for residency "redis"; absent otherwise (and then not written).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public BundleRedisTier? Redis { get; set; }
}
