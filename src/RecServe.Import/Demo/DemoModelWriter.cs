using RecServe.Core.Bundles;
using RecServe.Embeddings.Tables;
using RecServe.Import.Onnx;
using RecServe.Runtime.Onnx;

namespace RecServe.Import.Demo;

/// <summary>
/// <c>recserve demo-model</c>: writes a synthetic bundle of any size without Python: tables of random rows whose
/// ids are the row numbers (so <c>recserve bench --id-max</c> can target them), sum-pooled features f_0.., a dense
/// input, and a small dense network. Rows stream to disk, so a table far larger than memory can be written.
/// </summary>
public static class DemoModelWriter
{
    /// <summary>Prefix of the sparse feature names: f_0, f_1, ...</summary>
    public const string FeaturePrefix = "f_";

    /// <summary>Name of the dense input.</summary>
    public const string DenseInput = "dense";

    // Rows generated per AddRange call: big enough to amortise the call, small enough to stay in cache.
    private const int ChunkRows = 4096;

    /// <summary>Writes the bundle into the version folder <paramref name="outFolder"/>, which must not exist.</summary>
    public static BundleManifest Write(string outFolder, DemoModelOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Dim);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Tables);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Bag);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Dense);
        ArgumentOutOfRangeException.ThrowIfNegative(options.CrossLayers);
        ArgumentOutOfRangeException.ThrowIfNegative(options.CrossRank);
        if (options.Bottom.Count > 0 && options.Dense == 0)
        {
            throw new ArgumentException("a bottom MLP needs a dense input (Dense > 0)");
        }
        if (options.Bottom.Concat(options.Hidden).Any(units => units <= 0))
        {
            throw new ArgumentException("every layer of the bottom and top MLPs needs at least one unit");
        }
        var target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(outFolder));
        if (Directory.Exists(target) || File.Exists(target))
        {
            throw new IOException($"{outFolder} already exists; demo-model writes a new version folder");
        }
        var random = new Random(options.Seed);
        var manifest = BuildManifest(options);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temp = $"{target}.tmp-demo-{Guid.NewGuid():N}";
        Directory.CreateDirectory(temp);
        try
        {
            foreach (var table in manifest.Tables)
            {
                WriteTable(Path.Combine(temp, table.Path), table.Name, options, random);
            }
            var dense = DenseGraphBuilder.Build(
                manifest.SparseFeatures.Select(f => f.GraphInput).ToList(), options.Dense > 0 ? DenseInput : null, options, random);
            var densePath = Path.Combine(temp, manifest.DenseGraph);
            OnnxModelFile.Save(dense, densePath);
            // The graph is built by hand, so let ONNX Runtime vouch for it before anything is published.
            OnnxModel.Load(densePath, new OnnxModelOptions { IntraOpThreads = 1, InterOpThreads = 1 }).Dispose();
            BundleManifestFile.Write(temp, manifest);
            Directory.Move(temp, target);
            return manifest;
        }
        finally
        {
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }
        }
    }

    private static BundleManifest BuildManifest(DemoModelOptions options)
    {
        var manifest = new BundleManifest
        {
            Outputs = [new BundleOutput { Name = DenseGraphBuilder.OutputName, Dtype = "float32", Shape = [-1, 1] }],
            Producer = new Dictionary<string, string> { ["tool"] = "recserve demo-model", ["seed"] = options.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        };
        if (options.Dense > 0)
        {
            manifest.DenseInputs.Add(new BundleDenseInput { Name = DenseInput, Dtype = "float32", Shape = [-1, options.Dense] });
        }
        for (var t = 0; t < options.Tables; t++)
        {
            var table = $"table_{t}";
            manifest.Tables.Add(new BundleTable
            {
                Name = table,
                Path = $"{BundleFormat.TablesFolder}/{table}",
                Dim = options.Dim,
                Dtype = DataTypeNames.ToName(options.TableDataType),
                Rows = options.Rows,
                Tier = new BundleTier { Residency = options.Residency, CacheBytes = options.CacheBytes },
            });
            manifest.SparseFeatures.Add(new BundleSparseFeature
            {
                Name = $"{FeaturePrefix}{t}",
                Table = table,
                Pooling = "sum",
                MaxIdsPerRow = options.Bag,
                GraphInput = $"{FeaturePrefix}{t}.pooled",
            });
        }
        return manifest;
    }

    private static void WriteTable(string folder, string name, DemoModelOptions options, Random random)
    {
        var stage = $"table {name}";
        var ids = new long[ChunkRows];
        var rows = new float[ChunkRows * options.Dim];
        using var writer = new EmbeddingTableWriter(folder, name, options.Dim, options.TableDataType) { AllowDenseRange = !options.HashIndex };
        for (long start = 0; start < options.Rows; start += ChunkRows)
        {
            var count = (int)Math.Min(ChunkRows, options.Rows - start);
            for (var i = 0; i < count; i++)
            {
                ids[i] = start + i;
            }
            var values = rows.AsSpan(0, count * options.Dim);
            for (var i = 0; i < values.Length; i++)
            {
                // Small rows, like a trained table's: sums of a few stay well inside fp16 and the sigmoid's range.
                values[i] = (random.NextSingle() * 2 - 1) * 0.1f;
            }
            writer.AddRange(ids.AsSpan(0, count), values);
            options.Progress?.Report(new ImportProgress(stage, start + count, options.Rows));
        }
        writer.Complete();
    }
}
