using RecServe.Core.Bundles;
using RecServe.Embeddings.Tables;

namespace RecServe.Cli.Commands.Delta;

/// <summary>The embedding tables of a bundle version folder, opened for the delta commands.</summary>
internal sealed class BundleTables : IDisposable
{
    private BundleTables(List<EmbeddingTable> tables) => Tables = tables;

    public List<EmbeddingTable> Tables { get; }

    public static BundleTables Open(string versionFolder)
    {
        var manifest = BundleManifestFile.Read(versionFolder);
        var tables = new List<EmbeddingTable>();
        try
        {
            foreach (var table in manifest.Tables)
            {
                tables.Add(EmbeddingTable.Open(Path.Combine(versionFolder, table.Path)));
            }
        }
        catch
        {
            tables.ForEach(t => t.Dispose());
            throw;
        }
        return new BundleTables(tables);
    }

    public EmbeddingTable Find(string name) =>
        Tables.Find(t => t.Name == name) ?? throw new ArgumentException($"the bundle has no table '{name}' (it has {string.Join(", ", Tables.Select(t => t.Name))})");

    public void Dispose() => Tables.ForEach(t => t.Dispose());
}
