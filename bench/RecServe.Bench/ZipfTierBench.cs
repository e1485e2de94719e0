using System.Diagnostics;
using System.Globalization;
using RecServe.Core.Tensors;
using RecServe.Embeddings.Cache;
using RecServe.Embeddings.Tables;
using RecServe.Embeddings.Tiers;

namespace RecServe.Bench;

/// <summary>
/// Lookup throughput of one table served fully in memory against the same table memory-mapped behind a hot-row
/// cache of a third of its bytes, under Zipf(1.05) ids, batches of 256 bags × 8 ids, sum pooling through
/// <see cref="IEmbeddingTier.Gather"/>. Each mode runs in its own process (bench/run-zipf-bench.sh), so that the
/// mapped one can be put in a memory-limited cgroup; both draw the same ids from the same seed.
/// </summary>
public static class ZipfTierBench
{
    public const double Exponent = 1.05;
    public const int Bags = 256;
    public const int BagSize = 8;
    private const int Seed = 105;
    private const int ChunkBatches = 32;

    public static string Folder(int rows, int dim) => Path.Combine(BenchData.Root, "tables", $"zipf_r{rows}_d{dim}_fp32");

    /// <summary>Writes the table unless it exists: row i holds id (i+1)·odd, a bijection giving distinct spread ids.</summary>
    public static void Prepare(int rows, int dim)
    {
        var folder = Folder(rows, dim);
        if (File.Exists(Path.Combine(folder, TableFormat.MetaFileName)))
        {
            return;
        }
        var random = new Random(dim);
        var row = new float[dim];
        using var writer = new EmbeddingTableWriter(folder, "zipf", dim, TensorDataType.Float32) { ReplaceExisting = true };
        for (var i = 0; i < rows; i++)
        {
            for (var d = 0; d < dim; d++)
            {
                row[d] = (float)(random.NextDouble() * 2 - 1);
            }
            writer.Add(IdOfRow(i), row);
        }
        writer.Complete();
        Console.WriteLine($"wrote {folder}");
    }

    /// <summary>
    /// Times <paramref name="measuredLookups"/> lookups after <paramref name="warmupLookups"/> untimed ones, in mode
    /// "memory" (table loaded into native memory), "tiered" (mapped with random-access advice, its pages dropped
    /// first, behind a <see cref="HotRowCache"/> of a third of the table's bytes) or "tiered-warm" (the same without
    /// dropping the pages). Each phase stops early after <paramref name="maxSeconds"/>. Prints one key=value line.
    /// </summary>
    public static void Run(string mode, int rows, int dim, long warmupLookups, long measuredLookups, double maxSeconds)
    {
        var folder = Folder(rows, dim);
        var tiered = mode.StartsWith("tiered", StringComparison.Ordinal);
        using var table = EmbeddingTable.Open(folder, new TableOpenOptions
        {
            Residency = tiered ? TableResidency.Mapped : TableResidency.Memory,
            // Verifying would read every row through the mapping, warming exactly the pages this run must not have.
            VerifyRows = !tiered,
        });
        // RECSERVE_READAHEAD=0 turns off the readahead of missed rows, for a before/after in one run of the script.
        var readAhead = tiered && Environment.GetEnvironmentVariable("RECSERVE_READAHEAD") != "0";
        using var local = new LocalTableTier(table) { ReadAhead = readAhead };
        IEmbeddingTier tier = local;
        HotRowCache? cache = null;
        var pages = "none (memory mode)";
        if (tiered)
        {
            unsafe
            {
                pages = PageCacheControl.AdviseRandom((nint)table.RowPointer(0), (long)table.RowCount * table.RowStride,
                    Path.Combine(folder, TableFormat.RowsFileName), drop: mode == "tiered");
            }
            cache = new HotRowCache(dim, table.ByteSize / 3);
            tier = new CachedTier(cache, local);
        }

        var sampler = new ZipfSampler(rows, Exponent, Seed);
        var rowOfRank = RankPermutation(rows);
        var ids = new long[ChunkBatches * Bags * BagSize];
        var gathered = new float[Bags * BagSize * dim];
        var found = new bool[Bags * BagSize];
        var output = new float[Bags * dim];
        double checksum = 0;
        var elapsed = TimeSpan.Zero;
        long done = 0;
        long measured = 0;
        long hitsBefore = 0;
        long lookupsBefore = 0;
        var firstChunk = true;
        var warmup = Stopwatch.StartNew();
        // A phase ends at its lookup count or its time cap, whichever comes first: a disk-bound run would take hours.
        while (measured < measuredLookups && elapsed.TotalSeconds < maxSeconds)
        {
            // Ids are drawn outside the timed part, a chunk at a time, so that no long id list sits in memory.
            for (var i = 0; i < ids.Length; i++)
            {
                ids[i] = IdOfRow(rowOfRank[sampler.Next() - 1]);
            }
            var measuring = done >= warmupLookups || warmup.Elapsed.TotalSeconds >= maxSeconds;
            if (measuring && elapsed == TimeSpan.Zero)
            {
                hitsBefore = tier.Metrics.Hits;
                lookupsBefore = tier.Metrics.Lookups;
            }
            var clock = Stopwatch.StartNew();
            for (var start = 0; start < ids.Length; start += Bags * BagSize)
            {
                tier.Gather(ids.AsSpan(start, Bags * BagSize), gathered, found);
                BagSum.Sum(gathered, BagSize, dim, output);
                if (firstChunk)
                {
                    // Every run pools the first chunk whatever its caps, so its outputs can be compared across runs.
                    foreach (var value in output)
                    {
                        checksum += value;
                    }
                }
            }
            firstChunk = false;
            if (measuring)
            {
                elapsed += clock.Elapsed;
                measured += ids.Length;
            }
            else
            {
                done += ids.Length;
            }
        }
        var hitRate = tiered ? (double)(tier.Metrics.Hits - hitsBefore) / (tier.Metrics.Lookups - lookupsBefore) : 1.0;
        var invariant = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(invariant,
            $"mode={mode} rows={rows} dim={dim} table_bytes={table.ByteSize} cache_budget_bytes={cache?.BudgetBytes ?? 0} ") +
            string.Create(invariant, $"cache_resident_bytes={cache?.ResidentBytes ?? 0} warmup_lookups={done} lookups={measured} seconds={elapsed.TotalSeconds:F3} ") +
            string.Create(invariant, $"lookups_per_s={measured / elapsed.TotalSeconds:F0} hit_rate={hitRate:F4} read_ahead={readAhead} reading_ahead_at_end={local.IsReadingAhead} checksum={checksum:R} pages=\"{pages}\""));
    }

    private static long IdOfRow(int row) => (long)((ulong)(row + 1) * 0xD6E8FEB86659FD93UL);

    /// <summary>Zipf rank k is served by row perm[k-1]: hot rows lie scattered over the file, as hashed ids would.</summary>
    private static int[] RankPermutation(int rows)
    {
        var permutation = new int[rows];
        for (var i = 0; i < rows; i++)
        {
            permutation[i] = i;
        }
        new Random(Seed).Shuffle(permutation);
        return permutation;
    }
}
