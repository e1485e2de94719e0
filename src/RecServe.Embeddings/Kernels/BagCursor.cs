namespace RecServe.Embeddings.Kernels;

/// <summary>Where the pooling kernel is in the batch: the current bag, its ids still to come, its rows added so far.</summary>
internal ref struct BagCursor
{
    private readonly int _bagSize;
    private readonly ReadOnlySpan<int> _lengths;

    /// <param name="count">Number of bags.</param>
    /// <param name="bagSize">Fixed bag size, or 0 for ragged bags of <paramref name="lengths"/>.</param>
    /// <param name="lengths">Ragged bag lengths (ignored when <paramref name="bagSize"/> is positive).</param>
    public BagCursor(int count, int bagSize, ReadOnlySpan<int> lengths)
    {
        _bagSize = bagSize;
        _lengths = lengths;
        Count = count;
        Bag = 0;
        Remaining = Count > 0 ? Length(0) : 0;
    }

    /// <summary>Number of bags.</summary>
    public int Count { get; }

    public int Bag { get; private set; }

    public int Remaining { get; set; }

    public int Used { get; set; }

    public void MoveNext()
    {
        Bag++;
        Used = 0;
        Remaining = Bag < Count ? Length(Bag) : 0;
    }

    private readonly int Length(int bag) => _bagSize > 0 ? _bagSize : _lengths[bag];
}
