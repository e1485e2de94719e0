using System.Numerics;
using System.Runtime.CompilerServices;

namespace RecServe.Embeddings.Tables;

/// <summary>
/// Read side of the table's hash index over memory it does not own: power-of-two buckets, Fibonacci hashing
/// (top bits of id × 2⁶⁴/φ), linear probing; a key array and a parallel row-index array. Key
/// <see cref="EmptyKey"/> marks a free bucket, so the id equal to it is kept aside in <see cref="EmptyKeyRow"/>.
/// </summary>
internal readonly unsafe struct OpenAddressingIndex
{
    /// <summary>The key value of a free bucket. Zero, so that zero-filled memory is an empty index.</summary>
    public const long EmptyKey = 0;

    /// <summary>Smallest bucket count written; keeps the shift below 64.</summary>
    public const long MinBuckets = 16;

    /// <summary>Buckets are at most this full, so probes stay short.</summary>
    public const double MaxLoadFactor = 0.7;

    private const ulong Multiplier = 0x9E3779B97F4A7C15UL;

    private readonly long* _keys;
    private readonly int* _rows;
    private readonly ulong _mask;
    private readonly int _shift;

    public OpenAddressingIndex(long* keys, int* rows, long bucketCount, int emptyKeyRow)
    {
        _keys = keys;
        _rows = rows;
        _mask = (ulong)bucketCount - 1;
        _shift = 64 - BitOperations.Log2((ulong)bucketCount);
        EmptyKeyRow = emptyKeyRow;
    }

    /// <summary>Row of the id equal to <see cref="EmptyKey"/>, or -1 when the table has no such id.</summary>
    public int EmptyKeyRow { get; }

    public long* Keys => _keys;

    public int* BucketRows => _rows;

    public ulong Mask => _mask;

    public int Shift => _shift;

    public static long BucketCountFor(long entries)
    {
        var needed = (long)Math.Ceiling(entries / MaxLoadFactor) + 1;
        return Math.Max(MinBuckets, (long)BitOperations.RoundUpToPowerOf2((ulong)needed));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong HomeBucket(long id, int shift) => ((ulong)id * Multiplier) >> shift;

    /// <summary>The bucket an id's probe starts at, so callers can prefetch it before probing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong HomeBucket(long id) => HomeBucket(id, _shift);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryFind(long id, out int row)
    {
        if (id == EmptyKey)
        {
            row = EmptyKeyRow;
            return row >= 0;
        }
        var bucket = HomeBucket(id, _shift);
        while (true)
        {
            var key = _keys[bucket];
            if (key == id)
            {
                row = _rows[bucket];
                return true;
            }
            if (key == EmptyKey)
            {
                row = -1;
                return false;
            }
            bucket = (bucket + 1) & _mask;
        }
    }
}
