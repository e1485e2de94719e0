using BenchmarkDotNet.Attributes;
using RecServe.Embeddings.Kernels;
using RecServe.Embeddings.Tables;

namespace RecServe.Bench;

/// <summary>
/// Sum pooling of <see cref="BenchData.Batches"/> batches of 256 bags of random ids from a 1M-row table: one
/// operation is one pass over all batches, exactly what bench/cpp/pool_ref.cpp times. Parameter values come from
/// RECSERVE_BENCH_DIMS / _BAGS / _DTYPES so that the script can run a subset.
/// </summary>
[MemoryDiagnoser]
public class PoolingBenchmarks
{
    private EmbeddingTable _table = null!;
    private long[] _ids = [];
    private float[] _output = [];

    [ParamsSource(nameof(Dims))]
    public int Dim { get; set; }

    [ParamsSource(nameof(Bags))]
    public int BagSize { get; set; }

    [ParamsSource(nameof(DTypes))]
    public string DType { get; set; } = "fp32";

    public static IEnumerable<int> Dims() => BenchData.EnvList("RECSERVE_BENCH_DIMS", "16,32,64,128");

    public static IEnumerable<int> Bags() => BenchData.EnvList("RECSERVE_BENCH_BAGS", "1,8,32");

    public static IEnumerable<string> DTypes() => BenchData.EnvStrings("RECSERVE_BENCH_DTYPES", "fp32,fp16,int8");

    [GlobalSetup]
    public void Setup()
    {
        BenchData.EnsureTable(Dim, DType);
        BenchData.EnsureIds(BagSize);
        _table = EmbeddingTable.Open(BenchData.TableFolder(Dim, DType), new TableOpenOptions { Residency = TableResidency.Mapped });
        _ids = BenchData.ReadIds(BagSize);
        _output = new float[BenchData.Batch * Dim];
    }

    [GlobalCleanup]
    public void Cleanup() => _table.Dispose();

    [Benchmark]
    public long SumPool()
    {
        var perBatch = BenchData.Batch * BagSize;
        long misses = 0;
        for (var start = 0; start < _ids.Length; start += perBatch)
        {
            misses += EmbeddingPooling.Pool(_table, _ids.AsSpan(start, perBatch), BagSize, PoolingMode.Sum, _output).Misses;
        }
        return misses;
    }
}
