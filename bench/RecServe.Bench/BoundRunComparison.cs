using System.Diagnostics;
using System.Globalization;

namespace RecServe.Bench;

/// <summary>
/// Time ratio of the model call on the bound path (pooled runners, outputs bound ahead) to the plain path, measured in
/// alternating blocks so that a noisy shared machine's drift hits both alike: <c>bound-ab ROUNDS BLOCK</c> prints,
/// per model format, the median over rounds of the per-call time of each path and their ratio.
/// </summary>
internal static class BoundRunComparison
{
    public static void Run(int rounds, int block)
    {
        foreach (var format in new[] { "onnx", "bundle" })
        {
            var bench = new ServingPathBenchmarks { Format = format };
            bench.Setup();
            try
            {
                var bound = new double[rounds];
                var plain = new double[rounds];
                for (var i = 0; i < 200; i++)
                {
                    bench.PredictOnly();
                    bench.PredictOnlyUnbound();
                }
                for (var r = 0; r < rounds; r++)
                {
                    // Alternate which path goes first, so neither always follows the other.
                    if (r % 2 == 0)
                    {
                        bound[r] = Time(bench.PredictOnly, block);
                        plain[r] = Time(bench.PredictOnlyUnbound, block);
                    }
                    else
                    {
                        plain[r] = Time(bench.PredictOnlyUnbound, block);
                        bound[r] = Time(bench.PredictOnly, block);
                    }
                }
                var b = Median(bound);
                var p = Median(plain);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{format}: bound {b:F1} us/call, plain {p:F1} us/call, bound/plain {b / p:F3} ({rounds} rounds of {block} calls each)"));
            }
            finally
            {
                bench.Cleanup();
            }
        }
    }

    private static double Time(Func<int> call, int count)
    {
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            call();
        }
        return Stopwatch.GetElapsedTime(start).TotalMicroseconds / count;
    }

    private static double Median(double[] values)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        return sorted[sorted.Length / 2];
    }
}
