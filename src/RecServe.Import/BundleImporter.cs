using RecServe.Embeddings.Tables;
using RecServe.Core.Bundles;
using RecServe.Import.Check;
using RecServe.Import.Onnx;
using RecServe.Import.Onnx.Proto;
using RecServe.Import.Rewrite;
using RecServe.Import.Writing;

namespace RecServe.Import;

/// <summary>
/// <c>recserve import</c>: turns an ONNX model exported by PyTorch into a bundle. Large embedding initializers
/// move into tables, the graph takes their (pooled) lookups as inputs, and the bundle is compared with the
/// original model on random inputs before it is published: the destination appears whole or not at all.
/// </summary>
public static class BundleImporter
{
    /// <summary>Imports <paramref name="modelPath"/> into the version folder <paramref name="outFolder"/>, which must not exist.</summary>
    /// <exception cref="ImportException">The model cannot be imported or the bundle does not match it; nothing is left behind.</exception>
    public static ImportResult Import(string modelPath, string outFolder, ImportOptions options)
    {
        var target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(outFolder));
        if (Directory.Exists(target) || File.Exists(target))
        {
            throw new ImportException($"{outFolder} already exists; import writes a new version folder");
        }
        ModelProto model;
        try
        {
            model = OnnxModelFile.Load(modelPath);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw new ImportException(e.Message, e);
        }

        var (lookups, notes) = LookupFinder.Find(model.Graph, options.MinRows);
        var original = model.Graph.Clone();
        var features = GraphRewriter.Rewrite(model.Graph, lookups, options.DefaultMaxIdsPerRow);
        var tableNames = ImportManifest.TableNames(lookups.Select(l => l.Weight));
        var manifest = ImportManifest.Build(model.Graph, features, tableNames, options, Path.GetFileName(modelPath));
        var extracted = features.Select(f =>
            $"{f.Lookup.IdInput} → table {tableNames[f.Lookup.Weight]} ({f.Rows} x {f.Dim}), pooling {f.Lookup.Pooling}, max_ids_per_row {f.MaxIdsPerRow}" +
            $"{(f.IdsToGraph ? ", ids_to_graph" : "")}: {f.Lookup.Pattern}").ToList();

        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temp = $"{target}.tmp-import-{Guid.NewGuid():N}";
        Directory.CreateDirectory(temp);
        try
        {
            var modelFolder = Path.GetDirectoryName(Path.GetFullPath(modelPath))!;
            var originalIndex = new GraphIndex(original);
            foreach (var (weight, table) in tableNames)
            {
                TableExport.Write(originalIndex.Initializer(weight)!, modelFolder, Path.Combine(temp, BundleFormat.TablesFolder, table), table, options.TableDataType, options.Progress);
            }
            if (features.Count == 0)
            {
                // Nothing moved: the dense graph is the original file, byte for byte.
                File.Copy(modelPath, Path.Combine(temp, manifest.DenseGraph));
            }
            else
            {
                OnnxModelFile.Save(model, Path.Combine(temp, manifest.DenseGraph));
            }
            BundleManifestFile.Write(temp, manifest);

            double? maxError = null;
            var tolerance = ImportSelfCheck.Tolerance(options.TableDataType);
            if (options.SelfCheck)
            {
                maxError = ImportSelfCheck.MaxError(modelPath, temp, features, options);
                if (!(maxError <= tolerance))
                {
                    throw new ImportException(
                        $"self-check failed: the bundle's outputs differ from the original model's by up to {maxError:G4} (allowed {tolerance:G2} for {DataTypeNames.ToName(options.TableDataType)} rows)");
                }
            }
            Directory.Move(temp, target);
            return new ImportResult { Manifest = manifest, Extracted = extracted, Notes = notes, MaxError = maxError, Tolerance = tolerance };
        }
        catch (Exception e) when (e is not ImportException)
        {
            throw new ImportException($"import of {modelPath} failed: {e.Message}", e);
        }
        finally
        {
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }
        }
    }
}
