namespace RecServe.Embeddings.Cache;

// Invalidation: rows changed underneath the cache (an applied delta) must not be served from it again.
public sealed partial class HotRowCache
{
    /// <summary>
    /// Drops the cached row of <paramref name="id"/>, if any; returns whether one was dropped. The slot is left with
    /// an odd sequence number, which readers treat as "being written" and admission as free, so no reader can match
    /// it again and sequence numbers never go back (no ABA for a reader mid-copy). Waits for the set's writer, if any.
    /// </summary>
    public bool Invalidate(long id)
    {
        if (Capacity == 0)
        {
            return false;
        }
        var set = SetOf(id);
        var spin = new SpinWait();
        while (Interlocked.CompareExchange(ref _setLocks[set], 1, 0) != 0)
        {
            spin.SpinOnce();
        }
        try
        {
            var first = (int)set * Ways;
            for (var slot = first; slot < first + Ways; slot++)
            {
                var version = _versions[slot];
                if (version != 0 && (version & 1) == 0 && _keys[slot] == id)
                {
                    Interlocked.Exchange(ref _versions[slot], version + 1);
                    Interlocked.Decrement(ref _count);
                    return true;
                }
            }
            return false;
        }
        finally
        {
            Volatile.Write(ref _setLocks[set], 0);
        }
    }

    /// <summary>Drops the cached rows of all <paramref name="ids"/> (for example one <c>TableChange</c>'s); returns how many were cached.</summary>
    public int Invalidate(ReadOnlySpan<long> ids)
    {
        var dropped = 0;
        foreach (var id in ids)
        {
            dropped += Invalidate(id) ? 1 : 0;
        }
        return dropped;
    }
}
