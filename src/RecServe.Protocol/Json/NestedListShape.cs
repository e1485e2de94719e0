namespace RecServe.Protocol.Json;

/// <summary>
/// Works out the shape of one JSON value (a scalar or nested lists) while it streams past, and notices as soon as
/// the nesting is not a regular grid: every value must sit at the same depth, and every list at one depth must
/// have the length of the first list that closed at that depth.
/// </summary>
internal sealed class NestedListShape
{
    private const long Unknown = -1;

    // _dims[d] is the length of lists at depth d, known once the first of them closes; _counts[d] counts the
    // elements of the list open at depth d.
    private readonly long[] _dims;
    private readonly long[] _counts;
    private int _deepestUsed;

    public NestedListShape(int maxDepth)
    {
        _dims = new long[maxDepth + 1];
        _counts = new long[maxDepth + 1];
        Array.Fill(_dims, Unknown);
    }

    /// <summary>How many lists are open.</summary>
    public int Level { get; private set; }

    /// <summary>The depth at which values sit, once a value (or an empty list) has fixed it; -1 before.</summary>
    public int Rank { get; private set; }

    /// <summary>Starts a new value.</summary>
    public void Reset()
    {
        Array.Fill(_dims, Unknown, 0, _deepestUsed + 1);
        Level = 0;
        Rank = -1;
        _deepestUsed = 0;
    }

    /// <summary>Enters a list; false if values were already found at this depth or above.</summary>
    public bool TryOpenList()
    {
        if (Rank >= 0 && Level >= Rank)
        {
            return false;
        }
        CountElement();
        _counts[Level] = 0;
        Level++;
        _deepestUsed = Math.Max(_deepestUsed, Level);
        return true;
    }

    /// <summary>
    /// Leaves a list; false if its length differs from earlier lists at the same depth, which
    /// <paramref name="expected"/> and <paramref name="actual"/> then describe.
    /// </summary>
    public bool TryCloseList(out long expected, out long actual)
    {
        Level--;
        actual = _counts[Level];
        expected = _dims[Level];
        if (expected == Unknown)
        {
            _dims[Level] = actual;
            if (actual == 0 && Rank < 0)
            {
                // An empty list with no values seen yet: the value ends here, so this depth is the last dimension.
                Rank = Level + 1;
            }
            return true;
        }
        return expected == actual;
    }

    /// <summary>Counts a scalar value; false if values were already found at another depth.</summary>
    public bool TryAddValue()
    {
        if (Rank < 0)
        {
            Rank = Level;
        }
        else if (Level != Rank)
        {
            return false;
        }
        CountElement();
        return true;
    }

    /// <summary>The finished value's shape, as a new array.</summary>
    public long[] ToShape() => _dims.AsSpan(0, Rank).ToArray();

    /// <summary>Whether the finished value's shape equals <paramref name="shape"/>.</summary>
    public bool ShapeEquals(long[] shape) => _dims.AsSpan(0, Rank).SequenceEqual(shape);

    /// <summary>The value's shape, as a view of this object's state (valid until the next value).</summary>
    public ReadOnlySpan<long> Dims => _dims.AsSpan(0, Rank);

    private void CountElement()
    {
        if (Level > 0)
        {
            _counts[Level - 1]++;
        }
    }
}
