using System.Diagnostics;
using System.Globalization;
using RecServe.Embeddings.Tables;

namespace RecServe.Bench;

/// <summary>
/// What verifying a mapped table file costs when none of it is in the page cache (as a load does it: hashing through the
/// mapping on all cores, the kernel reading around each fault), against reading and hashing it with one reader: runs
/// alternate, each after dropping the file's pages, so both sides see the same disk.
/// </summary>
public static class ColdVerifyBench
{
    /// <summary>Prints one key=value line per run, then the medians.</summary>
    public static unsafe void Run(string path, int rounds)
    {
        var results = new Dictionary<string, List<double>> { ["mapped"] = [], ["read"] = [] };
        var checksums = new HashSet<ulong>();
        for (var round = 0; round < rounds; round++)
        {
            foreach (var mode in results.Keys)
            {
                PageCacheControl.Drop(path);
                var clock = Stopwatch.StartNew();
                if (mode == "read")
                {
                    using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
                    checksums.Add(ChunkedChecksum.ComputeByReading(handle, TableFormat.HeaderBytes, RandomAccess.GetLength(handle) - TableFormat.HeaderBytes, path));
                }
                else
                {
                    using var view = TableFileView.Open(path, TableResidency.Mapped);
                    checksums.Add(ChunkedChecksum.Compute(view.Pointer + TableFormat.HeaderBytes, view.Length - TableFormat.HeaderBytes, parallel: true));
                }
                var seconds = clock.Elapsed.TotalSeconds;
                results[mode].Add(seconds);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round={round} mode={mode} seconds={seconds:F3}"));
            }
        }
        var bytes = new FileInfo(path).Length;
        foreach (var (mode, times) in results)
        {
            times.Sort();
            var median = times[times.Count / 2];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"median mode={mode} seconds={median:F3} mb_per_s={bytes / median / 1e6:F0} min={times[0]:F3} max={times[^1]:F3}"));
        }
        Console.WriteLine(checksums.Count == 1 ? "checksums equal" : "checksums DIFFER");
    }
}
