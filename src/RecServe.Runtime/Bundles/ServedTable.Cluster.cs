using RecServe.Core.Bundles;
using RecServe.Core.Errors;
using RecServe.Embeddings.Redis;
using RecServe.Embeddings.Tables;
using StackExchange.Redis;

namespace RecServe.Runtime.Bundles;

// Residency "redis": the table's rows are read from its pushed copy in a Redis Cluster (docs/SCALE.md).
internal sealed partial class ServedTable
{
    private static ServedTable OpenCluster(string versionPath, BundleTable entry, RedisClusterOverrides? overrides, RedisConnectionPool connections)
    {
        var folder = Path.Combine(versionPath, entry.Path);
        try
        {
            // Only table.meta.json is read here: it names the content whose copy must be complete in the cluster.
            var description = EmbeddingTable.Describe(folder);
            CheckShape(entry, description.Dim, description.DataType, description.RowCount);
            // Loads run on the update thread, never on a request's: waiting here holds up no request.
            var (stack, cluster) = RedisTierFactory.OpenAsync(entry.Tier, folder, overrides, connections).GetAwaiter().GetResult();
            return new ServedTable(entry.Name, stack, cluster);
        }
        catch (ServingException e)
        {
            throw new ModelLoadException($"table '{entry.Name}' cannot be served from the Redis cluster: {e.Message}", e);
        }
        catch (RedisException e)
        {
            throw new ModelLoadException($"table '{entry.Name}': cannot reach its Redis cluster ({e.Message})", e);
        }
        catch (Exception e) when (e is TableFormatException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            throw new ModelLoadException($"table '{entry.Name}' cannot be served: {e.Message}", e);
        }
    }
}
