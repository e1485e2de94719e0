using System.Runtime.CompilerServices;
using RecServe.Embeddings.Tables;

namespace RecServe.Embeddings.Overlay;

/// <summary>
/// Builds the next <see cref="OverlaySnapshot"/> aside: a copy of the previous one (rows compacted, deleted ids'
/// rows dropped) with one delta's changes on top. Later changes to an id replace earlier ones.
/// </summary>
internal sealed class OverlaySnapshotBuilder
{
    private readonly long[] _keys;
    private readonly int[] _slots;
    private readonly ulong _mask;
    private readonly int _shift;
    private readonly byte[] _rows;
    private readonly int _stride;
    private int _zeroSlot = OverlaySnapshot.Absent;
    private int _rowCount;
    private int _count;
    private int _tombstones;

    /// <summary>Room for the previous snapshot's ids plus <paramref name="addedIds"/>, and <paramref name="addedRows"/> new rows.</summary>
    public OverlaySnapshotBuilder(OverlaySnapshot? previous, int stride, long addedIds, long addedRows)
    {
        _stride = stride;
        var ids = (previous?.Count ?? 0) + addedIds;
        var buckets = OpenAddressingIndex.BucketCountFor(ids);
        if (buckets > Array.MaxLength)
        {
            throw new InvalidOperationException($"the overlay would hold {ids} ids; compact it into a new base version");
        }
        _keys = new long[buckets];
        _slots = new int[buckets];
        _mask = (ulong)buckets - 1;
        _shift = 64 - System.Numerics.BitOperations.Log2((ulong)buckets);
        var rows = (previous is null ? 0 : previous.Count - previous.Tombstones) + addedRows;
        if (rows * stride > Array.MaxLength)
        {
            throw new InvalidOperationException($"the overlay would hold {rows} rows of {stride} bytes; compact it into a new base version");
        }
        _rows = GC.AllocateUninitializedArray<byte>((int)(rows * stride), pinned: true);
        if (previous is not null)
        {
            CopyFrom(previous);
        }
    }

    /// <summary>Sets the row of <paramref name="id"/>.</summary>
    public void Upsert(long id, ReadOnlySpan<byte> row)
    {
        ref var slot = ref SlotOf(id, out var existed);
        if (!existed || slot == OverlaySnapshot.Tombstone)
        {
            if (existed)
            {
                _tombstones--;
            }
            slot = _rowCount++;
        }
        row.CopyTo(_rows.AsSpan(slot * _stride, _stride));
    }

    /// <summary>Marks <paramref name="id"/> deleted.</summary>
    public void Delete(long id)
    {
        ref var slot = ref SlotOf(id, out var existed);
        if (!existed || slot != OverlaySnapshot.Tombstone)
        {
            _tombstones++;
        }
        // A replaced row stays in the array unused until the next build compacts it away.
        slot = OverlaySnapshot.Tombstone;
    }

    public OverlaySnapshot Build() => new(_keys, _slots, _zeroSlot, _rows, _stride, _count, _tombstones);

    private void CopyFrom(OverlaySnapshot previous)
    {
        var keys = previous.Keys;
        var slots = previous.Slots;
        for (var bucket = 0; bucket < keys.Length; bucket++)
        {
            if (keys[bucket] != OpenAddressingIndex.EmptyKey)
            {
                CopyEntry(previous, keys[bucket], slots[bucket]);
            }
        }
        if (previous.ZeroSlot != OverlaySnapshot.Absent)
        {
            CopyEntry(previous, OpenAddressingIndex.EmptyKey, previous.ZeroSlot);
        }
    }

    private void CopyEntry(OverlaySnapshot previous, long id, int slot)
    {
        if (slot == OverlaySnapshot.Tombstone)
        {
            Delete(id);
        }
        else
        {
            Upsert(id, previous.Row(slot));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref int SlotOf(long id, out bool existed)
    {
        if (id == OpenAddressingIndex.EmptyKey)
        {
            existed = _zeroSlot != OverlaySnapshot.Absent;
            if (!existed)
            {
                _count++;
            }
            return ref _zeroSlot;
        }
        var bucket = OpenAddressingIndex.HomeBucket(id, _shift);
        while (true)
        {
            var key = _keys[bucket];
            if (key == id)
            {
                existed = true;
                return ref _slots[bucket];
            }
            if (key == OpenAddressingIndex.EmptyKey)
            {
                _keys[bucket] = id;
                _count++;
                existed = false;
                return ref _slots[bucket];
            }
            bucket = (bucket + 1) & _mask;
        }
    }
}
