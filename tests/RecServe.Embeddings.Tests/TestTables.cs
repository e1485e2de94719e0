using RecServe.Core.Tensors;
using RecServe.Embeddings.Tables;

namespace RecServe.Embeddings.Tests;

/// <summary>Writes small tables of random rows into a temporary folder that is deleted on dispose.</summary>
internal sealed class TestTables : IDisposable
{
    public TestTables()
    {
        Root = Path.Combine(Path.GetTempPath(), "recserve-emb-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    /// <summary>A table of <paramref name="rows"/> random rows under distinct random ids (id 0 included when asked).</summary>
    public TableData Write(int rows, int dim, TensorDataType dataType, int seed = 1, float[]? defaultRow = null, bool includeEmptyKey = false, string? name = null, bool positiveIds = true)
    {
        var random = new Random(seed);
        var ids = DistinctIds(random, rows, positiveIds);
        if (includeEmptyKey && rows > 0)
        {
            ids[rows / 2] = 0;
        }
        var values = new float[rows * dim];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)(random.NextDouble() * 4 - 2);
        }
        var folder = Path.Combine(Root, name ?? $"t{Guid.NewGuid():N}");
        using (var writer = new EmbeddingTableWriter(folder, "test", dim, dataType, defaultRow))
        {
            writer.AddRange(ids, values);
            writer.Complete();
        }
        return new TableData(folder, ids, values, dim);
    }

    /// <summary>
    /// A table of random rows under <paramref name="ids"/> in row order; <paramref name="allowDenseRange"/> false
    /// forces the hash index even when the ids are consecutive.
    /// </summary>
    public TableData WriteIds(long[] ids, int dim, TensorDataType dataType, int seed = 1, bool allowDenseRange = true, float[]? defaultRow = null, string? name = null)
    {
        var random = new Random(seed);
        var values = new float[ids.Length * dim];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)(random.NextDouble() * 4 - 2);
        }
        var folder = Path.Combine(Root, name ?? $"t{Guid.NewGuid():N}");
        using (var writer = new EmbeddingTableWriter(folder, "test", dim, dataType, defaultRow) { AllowDenseRange = allowDenseRange })
        {
            writer.AddRange(ids, values);
            writer.Complete();
        }
        return new TableData(folder, ids, values, dim);
    }

    /// <summary>The ids <paramref name="first"/>, first + 1, …, first + count − 1.</summary>
    public static long[] Consecutive(long first, int count)
    {
        var ids = new long[count];
        for (var i = 0; i < count; i++)
        {
            ids[i] = first + i;
        }
        return ids;
    }

    /// <summary>Distinct non-zero random ids: positive, or spread over the whole int64 range.</summary>
    public static long[] DistinctIds(Random random, int count, bool positive = true)
    {
        var set = new HashSet<long>(count);
        var ids = new long[count];
        var n = 0;
        while (n < count)
        {
            var id = positive ? random.NextInt64(1, long.MaxValue) : random.NextInt64(long.MinValue, long.MaxValue);
            if (id != 0 && set.Add(id))
            {
                ids[n++] = id;
            }
        }
        return ids;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
