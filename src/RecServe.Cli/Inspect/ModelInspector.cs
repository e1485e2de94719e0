using System.Globalization;
using RecServe.Core.Bundles;
using RecServe.Core.Signatures;
using RecServe.Core.Tensors;
using RecServe.Embeddings.Deltas;
using RecServe.Embeddings.Overlay;
using RecServe.Embeddings.Tables;
using RecServe.Runtime;
using RecServe.Runtime.Onnx;

namespace RecServe.Cli.Inspect;

/// <summary>
/// Reads a bundle (its manifest, table folders and deltas; no table is loaded) or a plain ONNX model (its graph's
/// inputs and outputs, through the same loader the server uses) without serving it.
/// </summary>
internal static class ModelInspector
{
    /// <summary>Inspects <paramref name="path"/>: a version folder, or a model base path (its highest version).</summary>
    public static ModelInspection Inspect(string path, string? stateDir, string? modelName)
    {
        var full = Path.GetFullPath(path);
        if (!Directory.Exists(full))
        {
            throw new ArgumentException($"{full} is not a folder");
        }
        var versions = new List<long>();
        var folder = full;
        if (!ModelLoader.HasModel(full))
        {
            foreach (var child in Directory.GetDirectories(full))
            {
                if (long.TryParse(Path.GetFileName(child), NumberStyles.None, CultureInfo.InvariantCulture, out var v) && ModelLoader.HasModel(child))
                {
                    versions.Add(v);
                }
            }
            if (versions.Count == 0)
            {
                throw new ArgumentException($"{full} holds neither {BundleFormat.ManifestFileName} nor {ModelLoader.OnnxFileName}, nor version folders (1/, 2/, ...) that do");
            }
            versions.Sort();
            folder = Path.Combine(full, versions[^1].ToString(CultureInfo.InvariantCulture));
        }
        return BundleManifestFile.Exists(folder) ? InspectBundle(folder, versions, stateDir, modelName) : InspectOnnx(folder, versions);
    }

    private static ModelInspection InspectOnnx(string folder, List<long> versions)
    {
        using var model = ModelLoader.Load(folder, new OnnxModelOptions { IntraOpThreads = 1, InterOpThreads = 1 });
        var inputs = model.Signature.Inputs.Select(i => new InspectedInput(i.Name, "tensor", i.DataType.DisplayName(), Shape(i.Shape), "", "", "")).ToList();
        return new ModelInspection(folder, "plain ONNX (" + ModelLoader.OnnxFileName + ")", versions, inputs, Outputs(model.Signature), [], [], null);
    }

    private static ModelInspection InspectBundle(string folder, List<long> versions, string? stateDir, string? modelName)
    {
        var manifest = BundleManifestFile.Read(folder);
        var inputs = new List<InspectedInput>();
        inputs.AddRange(manifest.DenseInputs.Select(d => new InspectedInput(d.Name, "dense", d.Dtype, Shape(d.Shape), "", "", "")));
        inputs.AddRange(manifest.SparseFeatures.Select(s => new InspectedInput(
            s.Name, "sparse", "int64", "ids", s.Table, s.Pooling, s.MaxIdsPerRow.ToString(CultureInfo.InvariantCulture))));
        var outputs = manifest.Outputs.Select(o => new InspectedTensor(o.Name, o.Dtype, Shape(o.Shape))).ToList();
        var tables = manifest.Tables.Select(t => new InspectedTable(
            t.Name, t.Dim, t.Dtype, t.Rows, FolderBytes(Path.Combine(folder, t.Path)), t.Tier.Residency, t.Tier.CacheBytes,
            IndexOf(Path.Combine(folder, t.Path)))).ToList();
        var deltas = ReadDeltas(folder);
        var overlay = stateDir is null ? null : OverlayState(folder, stateDir, modelName);
        return new ModelInspection(folder, $"bundle (format {manifest.FormatVersion}, dense graph {manifest.DenseGraph})", versions, inputs, outputs, tables, deltas, overlay);
    }

    private static List<InspectedDelta> ReadDeltas(string folder)
    {
        var deltasFolder = Path.Combine(folder, "deltas");
        var deltas = new List<InspectedDelta>();
        if (!Directory.Exists(deltasFolder))
        {
            return deltas;
        }
        foreach (var file in Directory.GetFiles(deltasFolder, "*.delta"))
        {
            // The header alone: a large delta is not read to be listed.
            var header = new byte[DeltaFormat.HeaderBytes];
            int read;
            using (var stream = File.OpenRead(file))
            {
                read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
            }
            var parsed = DeltaHeader.Read(header.AsSpan(0, read), file);
            deltas.Add(new InspectedDelta(Path.GetFileName(file), parsed.Seq, parsed.RecordCount, new FileInfo(file).Length));
        }
        deltas.Sort((a, b) => a.Seq.CompareTo(b.Seq));
        return deltas;
    }

    private static string OverlayState(string folder, string stateDir, string? modelName)
    {
        var version = long.Parse(Path.GetFileName(folder), NumberStyles.None, CultureInfo.InvariantCulture);
        // The version folder's parent names the model (as the server names it from the base path), unless --model says otherwise.
        var name = modelName ?? Path.GetFileName(Path.GetDirectoryName(folder)!);
        var directory = EmbeddingOverlay.DirectoryFor(stateDir, name, version);
        if (!Directory.Exists(directory))
        {
            return $"no overlay at {directory}: no delta applied";
        }
        using var tables = Commands.Delta.BundleTables.Open(folder);
        using var overlay = EmbeddingOverlay.Open(directory, tables.Tables);
        return $"last applied seq {overlay.LastAppliedSeq} (overlay at {directory})";
    }

    private static List<InspectedTensor> Outputs(ModelSignature signature) =>
        signature.Outputs.Select(o => new InspectedTensor(o.Name, o.DataType.DisplayName(), Shape(o.Shape))).ToList();

    private static string Shape(long[]? shape) =>
        shape is null ? "?" : "[" + string.Join(", ", shape.Select(d => d < 0 ? "-1" : d.ToString(CultureInfo.InvariantCulture))) + "]";

    /// <summary>The table's index kind from its metadata: a dense key-range table stores no hash index.</summary>
    private static string IndexOf(string tableFolder)
    {
        try
        {
            var description = EmbeddingTable.Describe(tableFolder);
            return description.IndexKind == TableIndexKind.DenseRange
                ? $"dense range from {description.FirstId.ToString("N0", CultureInfo.InvariantCulture)}"
                : "hash";
        }
        catch (TableFormatException e)
        {
            return $"unreadable: {e.Message}";
        }
    }

    private static long FolderBytes(string folder) =>
        Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length) : 0;
}
