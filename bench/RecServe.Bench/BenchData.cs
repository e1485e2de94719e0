using System.Runtime.InteropServices;
using RecServe.Core.Tensors;
using RecServe.Embeddings.Tables;

namespace RecServe.Bench;

/// <summary>
/// The files benchmarks share with the C++ reference: tables of random rows under random ids (the same ids for
/// every dim and dtype) and id lists of whole batches. Made once by <c>prepare</c>; reused while they exist.
/// </summary>
public static class BenchData
{
    public const int Batch = 256;
    private const int Seed = 20240611;

    public static string Root => Environment.GetEnvironmentVariable("RECSERVE_BENCH_DIR") ?? Path.GetFullPath("artifacts/bench-data");

    public static int Rows => int.Parse(Environment.GetEnvironmentVariable("RECSERVE_BENCH_ROWS") ?? "1000000");

    public static int Batches => int.Parse(Environment.GetEnvironmentVariable("RECSERVE_BENCH_BATCHES") ?? "16");

    public static string TableFolder(int dim, string dtype) => Path.Combine(Root, "tables", $"r{Rows}_d{dim}_{dtype}");

    public static string IdsFile(int bag) => Path.Combine(Root, "ids", $"r{Rows}_bag{bag}_x{Batches}.bin");

    public static TensorDataType ParseDType(string dtype) => dtype switch
    {
        "fp32" => TensorDataType.Float32,
        "fp16" => TensorDataType.Float16,
        "int8" => TensorDataType.Int8,
        _ => throw new ArgumentException($"unknown dtype {dtype}"),
    };

    public static long[] Keys()
    {
        var random = new Random(Seed);
        var set = new HashSet<long>(Rows);
        var keys = new long[Rows];
        var n = 0;
        while (n < keys.Length)
        {
            var id = random.NextInt64(1, long.MaxValue);
            if (set.Add(id))
            {
                keys[n++] = id;
            }
        }
        return keys;
    }

    public static void EnsureTable(int dim, string dtype, long[]? keys = null)
    {
        var folder = TableFolder(dim, dtype);
        if (File.Exists(Path.Combine(folder, TableFormat.MetaFileName)))
        {
            return;
        }
        keys ??= Keys();
        var random = new Random(dim);
        var row = new float[dim];
        using var writer = new EmbeddingTableWriter(folder, $"bench_d{dim}_{dtype}", dim, ParseDType(dtype)) { ReplaceExisting = true };
        foreach (var key in keys)
        {
            for (var d = 0; d < dim; d++)
            {
                row[d] = (float)(random.NextDouble() * 2 - 1);
            }
            writer.Add(key, row);
        }
        writer.Complete();
        Console.WriteLine($"wrote {folder}");
    }

    /// <summary>Uniformly random ids of the table, <see cref="Batches"/> × <see cref="Batch"/> bags of <paramref name="bag"/>.</summary>
    public static void EnsureIds(int bag, long[]? keys = null)
    {
        var path = IdsFile(bag);
        if (File.Exists(path))
        {
            return;
        }
        keys ??= Keys();
        var random = new Random(Seed + bag);
        var ids = new long[Batches * Batch * bag];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = keys[random.Next(keys.Length)];
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, MemoryMarshal.AsBytes(ids.AsSpan()).ToArray());
        Console.WriteLine($"wrote {path}");
    }

    public static long[] ReadIds(int bag) => MemoryMarshal.Cast<byte, long>(File.ReadAllBytes(IdsFile(bag))).ToArray();

    public static int[] EnvList(string name, string fallback) =>
        [.. (Environment.GetEnvironmentVariable(name) ?? fallback).Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse)];

    public static string[] EnvStrings(string name, string fallback) =>
        (Environment.GetEnvironmentVariable(name) ?? fallback).Split(',', StringSplitOptions.RemoveEmptyEntries);
}
