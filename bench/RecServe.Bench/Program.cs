using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters.Csv;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Perfolizer.Horology;
using Perfolizer.Metrology;
using RecServe.Bench;
using RecServe.Embeddings.Kernels;
using RecServe.Embeddings.Tables;

// prepare            write the tables and id lists the benchmarks and bench/cpp/pool_ref.cpp share
// checksum D T L     print the sum of every pooled output of one pass (the C++ reference prints the same)
// time D T L        time sum pooling as bench/cpp/pool_ref.cpp does (median of 15 samples of ≥ 100 ms); a quick check
// loadtime R D       write an R-row dim-D fp32 table and time opening it
// deltaapply R D     write R-row dim-D fp32 deltas and time validate + apply into a RocksDB overlay (rows/s)
// zipf prepare R D  write the R-row dim-D fp32 table of the Zipf tier benchmark (bench/run-zipf-bench.sh)
// zipf M R D W N S   N Zipf(1.05) lookups after W warm-up ones (each phase at most S s), M = memory (table in memory),
//                    tiered (mapped + hot cache, pages dropped first) or tiered-warm (the same, pages kept)
// coldverify F [N]   verify table file F with its pages dropped: through a mapping (as a load does) and by reading; N rounds
// redis EP [R] [B]  Redis Cluster tier vs hot cache vs local vs plain MGET; EP: host:port,... (bench/redis-cluster.sh)
// bound-ab R B       model call on the bound path vs the plain path, R alternating rounds of B calls (BoundRunComparison)
// anything else      BenchmarkDotNet (e.g. --filter '*PoolingBenchmarks*' --job short --inProcess)
switch (args.FirstOrDefault())
{
    case "prepare":
        Prepare();
        return 0;
    case "checksum":
        Checksum(int.Parse(args[1], CultureInfo.InvariantCulture), args[2], int.Parse(args[3], CultureInfo.InvariantCulture));
        return 0;
    case "time":
        Time(int.Parse(args[1], CultureInfo.InvariantCulture), args[2], int.Parse(args[3], CultureInfo.InvariantCulture));
        return 0;
    case "zipf" when args[1] == "prepare":
        ZipfTierBench.Prepare(int.Parse(args[2], CultureInfo.InvariantCulture), int.Parse(args[3], CultureInfo.InvariantCulture));
        return 0;
    case "zipf":
        ZipfTierBench.Run(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), int.Parse(args[3], CultureInfo.InvariantCulture),
            long.Parse(args[4], CultureInfo.InvariantCulture), long.Parse(args[5], CultureInfo.InvariantCulture),
            double.Parse(args[6], CultureInfo.InvariantCulture));
        return 0;
    case "loadtime":
        LoadTime(int.Parse(args[1], CultureInfo.InvariantCulture), int.Parse(args[2], CultureInfo.InvariantCulture));
        return 0;
    case "coldverify":
        ColdVerifyBench.Run(args[1], args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5);
        return 0;
    case "redis":
        await RedisTierBench.RunAsync(args[1], args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 200_000,
            args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 512);
        return 0;
    case "bound-ab":
        BoundRunComparison.Run(int.Parse(args[1], CultureInfo.InvariantCulture), int.Parse(args[2], CultureInfo.InvariantCulture));
        return 0;
    case "deltaapply":
        DeltaApplyBench.Run(int.Parse(args[1], CultureInfo.InvariantCulture), int.Parse(args[2], CultureInfo.InvariantCulture));
        return 0;
}
var style = new SummaryStyle(CultureInfo.InvariantCulture, printUnitsInHeader: true, SizeUnit.B, TimeUnit.Nanosecond, printUnitsInContent: false);
var config = DefaultConfig.Instance.AddExporter(new CsvExporter(CsvSeparator.Comma, style)).AddColumn(StatisticColumn.Median);
BenchmarkSwitcher.FromAssembly(typeof(PoolingBenchmarks).Assembly).Run(args, config);
return 0;

static void Prepare()
{
    var keys = BenchData.Keys();
    foreach (var dtype in PoolingBenchmarks.DTypes())
    {
        foreach (var dim in PoolingBenchmarks.Dims())
        {
            BenchData.EnsureTable(dim, dtype, keys);
        }
    }
    foreach (var bag in PoolingBenchmarks.Bags())
    {
        BenchData.EnsureIds(bag, keys);
    }
}

static void Checksum(int dim, string dtype, int bag)
{
    using var table = EmbeddingTable.Open(BenchData.TableFolder(dim, dtype));
    var ids = BenchData.ReadIds(bag);
    var output = new float[BenchData.Batch * dim];
    double sum = 0;
    var perBatch = BenchData.Batch * bag;
    for (var start = 0; start < ids.Length; start += perBatch)
    {
        EmbeddingPooling.Pool(table, ids.AsSpan(start, perBatch), bag, PoolingMode.Sum, output);
        foreach (var value in output)
        {
            sum += value;
        }
    }
    Console.WriteLine(sum.ToString("R", CultureInfo.InvariantCulture));
}

static void Time(int dim, string dtype, int bag)
{
    using var table = EmbeddingTable.Open(BenchData.TableFolder(dim, dtype));
    var ids = BenchData.ReadIds(bag);
    var output = new float[BenchData.Batch * dim];
    var perBatch = BenchData.Batch * bag;
    void Pass()
    {
        for (var start = 0; start < ids.Length; start += perBatch)
        {
            EmbeddingPooling.Pool(table, ids.AsSpan(start, perBatch), bag, PoolingMode.Sum, output);
        }
    }
    for (var i = 0; i < 20; i++)
    {
        Pass();
    }
    var samples = new double[15];
    for (var s = 0; s < samples.Length; s++)
    {
        var clock = Stopwatch.StartNew();
        var passes = 0;
        do
        {
            Pass();
            passes++;
        }
        while (clock.Elapsed.TotalMilliseconds < 100);
        samples[s] = clock.Elapsed.TotalNanoseconds / ((double)passes * ids.Length);
    }
    Array.Sort(samples);
    Console.WriteLine(samples[samples.Length / 2].ToString("F3", CultureInfo.InvariantCulture));
}

static void LoadTime(int rows, int dim)
{
    var folder = Path.Combine(BenchData.Root, "tables", $"load_r{rows}_d{dim}_fp32");
    if (!File.Exists(Path.Combine(folder, TableFormat.MetaFileName)))
    {
        var clock = Stopwatch.StartNew();
        var random = new Random(1);
        var row = new float[dim];
        using var writer = new EmbeddingTableWriter(folder, "load", dim, RecServe.Core.Tensors.TensorDataType.Float32) { ReplaceExisting = true };
        for (var i = 0; i < rows; i++)
        {
            row[i % dim] = (float)random.NextDouble();
            // An odd multiplier is a bijection on 64 bits: distinct, well-spread ids without a set.
            writer.Add((long)((ulong)(i + 1) * 0xD6E8FEB86659FD93UL), row);
        }
        writer.Complete();
        Console.WriteLine($"wrote {folder} in {clock.Elapsed.TotalSeconds:F1} s");
    }
    var bytes = new DirectoryInfo(folder).GetFiles().Sum(f => f.Length);
    Console.WriteLine($"table: {rows} rows, dim {dim}, {bytes / 1e9:F2} GB");
    foreach (var (residency, verify) in new[] { (TableResidency.Mapped, true), (TableResidency.Mapped, false), (TableResidency.Memory, true) })
    {
        var clock = Stopwatch.StartNew();
        using var table = EmbeddingTable.Open(folder, new TableOpenOptions { Residency = residency, VerifyRows = verify });
        Console.WriteLine($"open {residency,-6} verify rows {verify,-5}: {clock.Elapsed.TotalSeconds:F2} s ({bytes / 1e9 / clock.Elapsed.TotalSeconds:F1} GB/s)");
    }
}
