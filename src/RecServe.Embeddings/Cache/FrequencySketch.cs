using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace RecServe.Embeddings.Cache;

/// <summary>
/// Approximate access counts for TinyLFU admission: a count-min sketch of four saturating 4-bit-range counters
/// per id, halved every <c>10 × capacity</c> increments so that old popularity fades. An id's four counters lie in
/// one 64-byte block (one per 16-byte quarter), so counting an access costs one cache miss, not four: the sketch
/// is touched on every cache lookup and is far larger than the CPU caches. Updates are deliberately
/// unsynchronised: a lost increment only makes an estimate slightly low, which admission tolerates.
/// </summary>
internal sealed class FrequencySketch
{
    private const byte MaxCount = 15;
    private const int Depth = 4;
    private const int BlockBytes = 64;
    private const int QuarterBytes = BlockBytes / Depth;

    /// <summary>
    /// Counters (bytes) per cached entry, charged to the cache's budget. With 16, a counter sees about 2.5
    /// increments between halvings, so ids seen once estimate near 0 and stay below anything seen repeatedly.
    /// </summary>
    public const int BytesPerEntry = 16;

    private readonly byte[] _counters;
    // Where the first 64-byte-aligned block starts in the pinned array, and the block count - 1.
    private readonly int _origin;
    private readonly int _blockMask;
    private readonly int _sampleSize;
    private int _additions;
    private int _resetting;

    public unsafe FrequencySketch(int capacity)
    {
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Clamp((long)capacity * BytesPerEntry, BlockBytes, 1 << 30));
        // Pinned, with one spare block, so that blocks can start on cache-line boundaries.
        _counters = GC.AllocateArray<byte>(size + BlockBytes, pinned: true);
        var address = (nint)Unsafe.AsPointer(ref _counters[0]);
        _origin = (int)((BlockBytes - (address & (BlockBytes - 1))) & (BlockBytes - 1));
        Tables.LinuxMemoryAdvice.PreferHugePagesWithin((void*)address, _counters.Length);
        _blockMask = size / BlockBytes - 1;
        _sampleSize = (int)Math.Min(int.MaxValue, Math.Max(64L, 10L * capacity));
    }

    public void Increment(long id)
    {
        var (block, h) = Locate(id);
        var counters = _counters;
        for (var i = 0; i < Depth; i++)
        {
            ref var counter = ref counters[block + i * QuarterBytes + (int)((h >> (i * 4)) & (QuarterBytes - 1))];
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
        var (block, h) = Locate(id);
        var counters = _counters;
        int min = MaxCount;
        for (var i = 0; i < Depth; i++)
        {
            min = Math.Min(min, counters[block + i * QuarterBytes + (int)((h >> (i * 4)) & (QuarterBytes - 1))]);
        }
        return min;
    }

    /// <summary>Starts loading the block of <paramref name="id"/>, for a caller that will count it shortly.</summary>
    public unsafe void Prefetch(long id)
    {
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(Unsafe.AsPointer(ref _counters[Locate(id).Block]));
        }
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

    // One 64-bit mix: the low bits pick the block, the high 16 bits a counter in each quarter of it.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private (int Block, uint Counters) Locate(long id)
    {
        var x = (ulong)id;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        x ^= x >> 31;
        return (_origin + (int)((uint)x & (uint)_blockMask) * BlockBytes, (uint)(x >> 48));
    }
}
