using BenchmarkDotNet.Attributes;
using RecServe.Embeddings.Kernels;
using RecServe.Embeddings.Tables;

namespace RecServe.Bench;

/// <summary>The same sum pooling over a memory-mapped table and over one loaded into native memory.</summary>
[MemoryDiagnoser]
public class ResidencyBenchmarks
{
    private const int Bag = 8;
    private EmbeddingTable _table = null!;
    private long[] _ids = [];
    private float[] _output = [];

    [Params(TableResidency.Mapped, TableResidency.Memory)]
    public TableResidency Residency { get; set; }

    [Params(64)]
    public int Dim { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        BenchData.EnsureTable(Dim, "fp32");
        BenchData.EnsureIds(Bag);
        _table = EmbeddingTable.Open(BenchData.TableFolder(Dim, "fp32"), new TableOpenOptions { Residency = Residency });
        _ids = BenchData.ReadIds(Bag);
        _output = new float[BenchData.Batch * Dim];
    }

    [GlobalCleanup]
    public void Cleanup() => _table.Dispose();

    [Benchmark]
    public long SumPool()
    {
        var perBatch = BenchData.Batch * Bag;
        long misses = 0;
        for (var start = 0; start < _ids.Length; start += perBatch)
        {
            misses += EmbeddingPooling.Pool(_table, _ids.AsSpan(start, perBatch), Bag, PoolingMode.Sum, _output).Misses;
        }
        return misses;
    }
}
