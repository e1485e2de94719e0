using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using RecServe.Embeddings.Tables;

namespace RecServe.Embeddings.Cache;

/// <summary>
/// A fixed-budget cache of decoded (fp32) rows keyed by id, for ids hot enough to earn a place: admission is
/// TinyLFU-style, so a new id only replaces an entry it has been seen more often than, and a burst of one-off ids
/// cannot flush the hot set. Set-associative (8 ways). Reads take no lock: every entry carries a sequence number
/// that is odd while it is being written, and a reader that sees it change retries nothing and reports a miss.
/// Writers take a per-set try-lock and skip admission when it is busy, so no thread ever waits.
/// </summary>
public sealed partial class HotRowCache
{
    /// <summary>Entries per set.</summary>
    public const int Ways = 8;

    private const int CacheLineBytes = 64;

    private readonly FrequencySketch _sketch;
    private readonly long[] _keys;
    private readonly int[] _versions;
    private readonly float[] _rows;
    private readonly int[] _setLocks;
    private readonly uint _sets;
    private long _count;

    /// <summary>A cache of <paramref name="dim"/>-wide rows using at most <paramref name="budgetBytes"/> bytes.</summary>
    public HotRowCache(int dim, long budgetBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dim);
        ArgumentOutOfRangeException.ThrowIfNegative(budgetBytes);
        Dim = dim;
        BudgetBytes = budgetBytes;
        EntryBytes = dim * sizeof(float) + sizeof(long) + sizeof(int) + FrequencySketch.BytesPerEntry;
        var entries = Math.Min(budgetBytes / EntryBytes, Array.MaxLength / dim);
        _sets = (uint)Math.Min(entries / Ways, int.MaxValue / Ways);
        Capacity = (int)_sets * Ways;
        _sketch = new FrequencySketch(Capacity);
        // Pinned and on huge pages where Linux grants them: every lookup touches a random set and row of arrays far
        // larger than the TLB covers in 4 KiB pages (a table in memory gets huge pages too, see TableFileView).
        _keys = GC.AllocateArray<long>(Capacity, pinned: true);
        _versions = GC.AllocateArray<int>(Capacity, pinned: true);
        _rows = GC.AllocateUninitializedArray<float>(Capacity * dim, pinned: true);
        _setLocks = new int[_sets];
        PreferHugePages(_rows);
        PreferHugePages(_keys);
        PreferHugePages(_versions);
    }

    private static unsafe void PreferHugePages<T>(T[] array)
        where T : unmanaged
    {
        if (array.Length > 0)
        {
            LinuxMemoryAdvice.PreferHugePagesWithin(Unsafe.AsPointer(ref array[0]), (long)array.Length * sizeof(T));
        }
    }

    /// <summary>Values per row.</summary>
    public int Dim { get; }

    /// <summary>The byte budget the cache was given.</summary>
    public long BudgetBytes { get; }

    /// <summary>Bytes one entry costs: the row, its key and sequence number, and its share of the sketch.</summary>
    public int EntryBytes { get; }

    /// <summary>Entries that fit the budget (a multiple of <see cref="Ways"/>; 0 disables the cache).</summary>
    public int Capacity { get; }

    /// <summary>Entries holding a row.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>Bytes of the entries holding a row.</summary>
    public long ResidentBytes => Count * EntryBytes;

    /// <summary>
    /// Copies the cached row of <paramref name="id"/> into <paramref name="destination"/> and returns true, or
    /// returns false. Either way the access is counted towards the id's admission frequency.
    /// </summary>
    public bool TryGet(long id, Span<float> destination)
    {
        if (Capacity == 0)
        {
            return false;
        }
        _sketch.Increment(id);
        var dim = Dim;
        var first = (int)SetOf(id) * Ways;
        for (var slot = first; slot < first + Ways; slot++)
        {
            var version = Volatile.Read(ref _versions[slot]);
            if (version == 0 || (version & 1) != 0 || _keys[slot] != id)
            {
                continue;
            }
            _rows.AsSpan(slot * dim, dim).CopyTo(destination);
            // The copy must be complete before the sequence number is read again.
            Volatile.ReadBarrier();
            return Volatile.Read(ref _versions[slot]) == version;
        }
        return false;
    }

    /// <summary>
    /// Starts loading what <see cref="TryGet"/> of <paramref name="id"/> will read first (its set's keys and sequence
    /// numbers, its sketch counters), so that a caller walking a batch can overlap the cache misses of several ids.
    /// </summary>
    internal unsafe void Prefetch(long id)
    {
        if (Capacity == 0 || !Sse.IsSupported)
        {
            return;
        }
        var first = (nint)SetOf(id) * Ways;
        // A prefetch never faults, so an address the GC makes stale by moving the array only wastes the hint.
        Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_keys), first)));
        Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_versions), first)));
        _sketch.Prefetch(id);
    }

    /// <summary>
    /// Starts loading the cached row of <paramref name="id"/>, if its set (best prefetched by <see cref="Prefetch"/>
    /// some ids earlier) holds it: the row is the one miss a hit still pays once the set and the sketch are near.
    /// </summary>
    internal unsafe void PrefetchRow(long id)
    {
        if (Capacity == 0 || !Sse.IsSupported)
        {
            return;
        }
        var first = (int)SetOf(id) * Ways;
        for (var slot = first; slot < first + Ways; slot++)
        {
            if (_keys[slot] != id)
            {
                continue;
            }
            var row = (byte*)Unsafe.AsPointer(ref _rows[(long)slot * Dim]);
            for (var line = 0; line < Dim * sizeof(float); line += CacheLineBytes)
            {
                Sse.Prefetch0(row + line);
            }
            return;
        }
    }

    /// <summary>
    /// Starts loading the sketch counters <see cref="TryAdmit"/> of <paramref name="id"/> will compare: those of the
    /// ids now in its set (best prefetched by <see cref="Prefetch"/> some ids earlier). Admission estimates all eight,
    /// each a random 64-byte block of a sketch far larger than the CPU caches; asked for together, they arrive together.
    /// </summary>
    internal void PrefetchVictims(long id)
    {
        if (Capacity == 0 || !Sse.IsSupported)
        {
            return;
        }
        var first = (int)SetOf(id) * Ways;
        for (var slot = first; slot < first + Ways; slot++)
        {
            _sketch.Prefetch(_keys[slot]);
        }
    }

    /// <summary>
    /// Offers the row of <paramref name="id"/> (typically just read from a slower tier). Stored if there is a free
    /// way, or if the id is estimated more frequent than the least frequent entry of its set; returns whether the
    /// row is cached now.
    /// </summary>
    public bool TryAdmit(long id, ReadOnlySpan<float> row)
    {
        if (row.Length != Dim)
        {
            throw new ArgumentException($"row has {row.Length} values, the cache holds dim {Dim}", nameof(row));
        }
        if (Capacity == 0)
        {
            return false;
        }
        var set = SetOf(id);
        if (Interlocked.CompareExchange(ref _setLocks[set], 1, 0) != 0)
        {
            return false;
        }
        try
        {
            var victim = ChooseVictim(id, (int)set * Ways);
            if (victim < 0)
            {
                return victim == -1;
            }
            // An invalidated slot rests odd (see Invalidate); writing it continues from the next even number.
            var previous = _versions[victim];
            var version = previous & ~1;
            // Odd before the row changes, with a full fence so that no write below moves above it.
            Interlocked.Exchange(ref _versions[victim], version + 1);
            _keys[victim] = id;
            row.CopyTo(_rows.AsSpan(victim * Dim, Dim));
            Volatile.Write(ref _versions[victim], version + 2);
            if (previous == 0 || previous != version)
            {
                Interlocked.Increment(ref _count);
            }
            return true;
        }
        finally
        {
            Volatile.Write(ref _setLocks[set], 0);
        }
    }

    /// <summary>The way to write, -1 when the id is already cached, -2 when admission refuses it.</summary>
    private int ChooseVictim(long id, int first)
    {
        var victim = -2;
        var victimFrequency = int.MaxValue;
        for (var slot = first; slot < first + Ways; slot++)
        {
            var version = _versions[slot];
            if (version == 0 || (version & 1) != 0)
            {
                return slot;
            }
            if (_keys[slot] == id)
            {
                return -1;
            }
            var frequency = _sketch.Estimate(_keys[slot]);
            if (frequency < victimFrequency)
            {
                victim = slot;
                victimFrequency = frequency;
            }
        }
        return _sketch.Estimate(id) > victimFrequency ? victim : -2;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private uint SetOf(long id)
    {
        // Mix, then map the top 32 bits onto [0, sets) by multiply-shift, which needs no power-of-two set count.
        var h = (ulong)id * 0x9E3779B97F4A7C15UL;
        h ^= h >> 29;
        return (uint)(((h >> 32) * _sets) >> 32);
    }
}
