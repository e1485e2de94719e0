using BenchmarkDotNet.Attributes;
using RecServe.Embeddings.Tables;

namespace RecServe.Bench;

/// <summary>
/// Id → row lookup alone: the table's open-addressing index against binary search over the same keys sorted
/// (the alternative layout), for random ids of a 1M-row table.
/// </summary>
[MemoryDiagnoser]
public class IndexBenchmarks
{
    private EmbeddingTable _table = null!;
    private long[] _ids = [];
    private long[] _sortedKeys = [];

    [GlobalSetup]
    public void Setup()
    {
        BenchData.EnsureTable(16, "fp32");
        BenchData.EnsureIds(8);
        _table = EmbeddingTable.Open(BenchData.TableFolder(16, "fp32"));
        _ids = BenchData.ReadIds(8);
        _sortedKeys = BenchData.Keys();
        Array.Sort(_sortedKeys);
    }

    [GlobalCleanup]
    public void Cleanup() => _table.Dispose();

    [Benchmark(Baseline = true)]
    public long OpenAddressing()
    {
        long sum = 0;
        foreach (var id in _ids)
        {
            _table.TryGetRow(id, out var row);
            sum += row;
        }
        return sum;
    }

    [Benchmark]
    public long SortedKeysBinarySearch()
    {
        long sum = 0;
        var keys = _sortedKeys;
        foreach (var id in _ids)
        {
            sum += Array.BinarySearch(keys, id);
        }
        return sum;
    }
}
