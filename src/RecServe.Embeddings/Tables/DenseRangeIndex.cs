using System.Runtime.CompilerServices;

namespace RecServe.Embeddings.Tables;

/// <summary>
/// Read side of a dense key-range index: the table's ids are exactly <see cref="FirstId"/> … FirstId + Count − 1 and
/// row i holds id FirstId + i, so a lookup is one subtraction and one compare and nothing is stored per row. Tables
/// written from nn.Embedding (ids are row numbers) and tables of ids hashed modulo their size have this shape.
/// </summary>
internal readonly struct DenseRangeIndex
{
    public DenseRangeIndex(long firstId, int count)
    {
        FirstId = firstId;
        Count = count;
    }

    /// <summary>The id of row 0.</summary>
    public long FirstId { get; }

    /// <summary>Rows, and ids in the range.</summary>
    public int Count { get; }

    /// <summary>
    /// The row of <paramref name="id"/>, or -1. Unchecked subtraction then an unsigned compare: any id below the range
    /// wraps to a value at least 2⁶⁴ − 2⁶³ − FirstId, which is not below Count as long as FirstId + Count − 1 is a long
    /// (the header check), so ids on both sides, negatives and <see cref="long.MaxValue"/> included, miss.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Find(long id, long firstId, int count)
    {
        var offset = unchecked((ulong)(id - firstId));
        return offset < (ulong)count ? (int)offset : -1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryFind(long id, out int row)
    {
        row = Find(id, FirstId, Count);
        return row >= 0;
    }

    /// <summary>Whether <paramref name="ids"/> (in row order) form a dense range: non-empty, each one more than the last.</summary>
    public static bool Fits(ReadOnlySpan<long> ids)
    {
        if (ids.IsEmpty)
        {
            return false;
        }
        var first = ids[0];
        for (var i = 1; i < ids.Length; i++)
        {
            // first + i cannot overflow before a mismatch: ids[i - 1] == first + i - 1 held, and ids[i] is a long.
            if (ids[i] != first + i)
            {
                return false;
            }
        }
        return true;
    }
}
