using System.Numerics;
using System.Runtime.CompilerServices;

namespace RecServe.Embeddings.Cache;

/// <summary>
/// Approximate access counts for TinyLFU admission: a count-min sketch of four saturating 4-bit-range counters
/// per id, halved every <c>10 × capacity</c> increments so that old popularity fades. Updates are deliberately
/// unsynchronised: a lost increment only makes an estimate slightly low, which admission tolerates.
/// </summary>
internal sealed class FrequencySketch
{
    private const byte MaxCount = 15;
    private const int Depth = 4;

    /// <summary>
    /// Counters (bytes) per cached entry, charged to the cache's budget. With 16, a counter sees about 2.5
    /// increments between halvings, so ids seen once estimate near 0 and stay below anything seen repeatedly.
    /// </summary>
    public const int BytesPerEntry = 16;

    private readonly byte[] _counters;
    private readonly int _mask;
    private readonly int _sampleSize;
    private int _additions;
    private int _resetting;

    public FrequencySketch(int capacity)
    {
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Clamp((long)capacity * BytesPerEntry, 64, 1 << 30));
        _counters = new byte[size];
        _mask = size - 1;
        _sampleSize = (int)Math.Min(int.MaxValue, Math.Max(64L, 10L * capacity));
    }


    public void Increment(long id)
    {
        var (h1, h2) = Hash(id);
        var counters = _counters;
        for (var i = 0; i < Depth; i++)
        {
            ref var counter = ref counters[(int)(h1 + (uint)i * h2) & _mask];
            if (counter < MaxCount)
            {
                counter++;
            }
        }
        if (++_additions >= _sampleSize)
        {
            Halve();
        }
    }

    public int Estimate(long id)
    {
        var (h1, h2) = Hash(id);
        var counters = _counters;
        int min = MaxCount;
        for (var i = 0; i < Depth; i++)
        {
            min = Math.Min(min, counters[(int)(h1 + (uint)i * h2) & _mask]);
        }
        return min;
    }

    private void Halve()
    {
        if (Interlocked.Exchange(ref _resetting, 1) != 0)
        {
            return;
        }
        var counters = _counters;
        for (var i = 0; i < counters.Length; i++)
        {
            counters[i] >>= 1;
        }
        _additions = 0;
        Volatile.Write(ref _resetting, 0);
    }

    // Two independent 32-bit hashes from one 64-bit mix; the four indices are h1 + i·h2 (Kirsch–Mitzenmacher).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (uint, uint) Hash(long id)
    {
        var x = (ulong)id;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        x ^= x >> 31;
        return ((uint)x, (uint)(x >> 32) | 1);
    }
}
