using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using RecServe.Embeddings.Tables;

namespace RecServe.Embeddings.Overlay;

/// <summary>
/// An immutable view of one table's overlay: the ids changed since the base snapshot, each mapped to a row (same
/// encoding as the base table) or to a tombstone (deleted: the id is unknown and gets the default row). Never
/// changed once published; an applied delta builds a new one and swaps it in, so a reader sees a whole old or a
/// whole new row. Rows live in a pinned array: a reader holding the snapshot keeps its rows alive, so no epoch or
/// lease is needed to free old versions.
/// </summary>
internal sealed unsafe class OverlaySnapshot
{
    /// <summary>Slot of a deleted id.</summary>
    public const int Tombstone = -1;

    /// <summary>Slot meaning "id not in the overlay" for the id equal to the empty key.</summary>
    internal const int Absent = int.MinValue;

    private readonly long[] _keys;
    private readonly int[] _slots;
    private readonly ulong _mask;
    private readonly int _shift;
    private readonly int _zeroSlot;
    private readonly byte[] _rows;
    private readonly byte* _rowBase;

    internal OverlaySnapshot(long[] keys, int[] slots, int zeroSlot, byte[] rows, int stride, int count, int tombstones)
    {
        _keys = keys;
        _slots = slots;
        _mask = (ulong)keys.Length - 1;
        _shift = 64 - System.Numerics.BitOperations.Log2((ulong)keys.Length);
        _zeroSlot = zeroSlot;
        _rows = rows;
        _rowBase = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(rows));
        Stride = stride;
        Count = count;
        Tombstones = tombstones;
    }

    /// <summary>Bytes of one encoded row.</summary>
    public int Stride { get; }

    /// <summary>Ids in the overlay, deleted ones included.</summary>
    public int Count { get; }

    /// <summary>Ids deleted by the overlay.</summary>
    public int Tombstones { get; }

    /// <summary>Bytes the snapshot holds (index and rows).</summary>
    public long ByteSize => _keys.Length * (long)(sizeof(long) + sizeof(int)) + _rows.Length;

    internal long[] Keys => _keys;

    internal int[] Slots => _slots;

    internal int ZeroSlot => _zeroSlot;

    /// <summary>Whether the overlay has <paramref name="id"/>; <paramref name="slot"/> is its row or <see cref="Tombstone"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryFind(long id, out int slot)
    {
        if (id == OpenAddressingIndex.EmptyKey)
        {
            slot = _zeroSlot;
            return slot != Absent;
        }
        var keys = _keys;
        var bucket = OpenAddressingIndex.HomeBucket(id, _shift);
        while (true)
        {
            var key = keys[bucket];
            if (key == id)
            {
                slot = _slots[bucket];
                return true;
            }
            if (key == OpenAddressingIndex.EmptyKey)
            {
                slot = Absent;
                return false;
            }
            bucket = (bucket + 1) & _mask;
        }
    }

    /// <summary>The encoded row in <paramref name="slot"/> (not a tombstone).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte* RowPointer(int slot) => _rowBase + (long)slot * Stride;

    /// <summary>The encoded row in <paramref name="slot"/> as a span.</summary>
    public ReadOnlySpan<byte> Row(int slot) => new(RowPointer(slot), Stride);

    /// <summary>
    /// Second pass of the pooling kernel over one resolved segment: ids the overlay has get its row instead of the
    /// base table's, deleted ids get <paramref name="defaultRow"/>, and <paramref name="misses"/> is corrected.
    /// The caller must keep this snapshot alive (GC.KeepAlive) until it has used the row pointers.
    /// </summary>
    public void Patch(ReadOnlySpan<long> ids, int start, int count, byte** rows, ref long misses, byte* defaultRow)
    {
        long correction = 0;
        for (var i = 0; i < count; i++)
        {
            var id = ids[start + i];
            if (id < 0 || !TryFind(id, out var slot))
            {
                continue;
            }
            var wasMiss = rows[i] == defaultRow;
            if (slot == Tombstone)
            {
                rows[i] = defaultRow;
                correction += wasMiss ? 0 : 1;
                continue;
            }
            var row = RowPointer(slot);
            if (Sse.IsSupported)
            {
                Sse.Prefetch0(row);
            }
            rows[i] = row;
            correction -= wasMiss ? 1 : 0;
        }
        misses += correction;
    }
}
