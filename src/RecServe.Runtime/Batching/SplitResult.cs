using RecServe.Core.Lifetime;
using RecServe.Core.Tensors;

namespace RecServe.Runtime.Batching;

/// <summary>
/// One request's share of a batch's outputs, in tensors kept for the next request: the result set is lent to the
/// caller, whose Dispose (as for any model's result) hands it back, and the next request with outputs of the same
/// type and shape is copied into the same buffers. Only fixed-size outputs; string outputs are sliced into new tensors.
/// </summary>
internal sealed class SplitResult : ITensorSetOwner, IDisposable
{
    private readonly ScratchPool<SplitResult> _pool;
    private readonly TensorSet _set;
    private readonly List<TensorSlot> _slots = [];

    public SplitResult(ScratchPool<SplitResult> pool)
    {
        _pool = pool;
        _set = new TensorSet(4, this);
    }

    /// <summary>
    /// Lends a set holding rows [<paramref name="start"/>, <paramref name="start"/> + <paramref name="rows"/>) of each
    /// output <paramref name="outputFilter"/> names (all when it is empty), copied into kept tensors.
    /// </summary>
    public TensorSet Fill(TensorSet outputs, long start, int rows, IReadOnlyList<string> outputFilter)
    {
        Span<long> shape = stackalloc long[16];
        var next = 0;
        // By index: a foreach over the interface would box the list's enumerator.
        for (var i = 0; i < outputs.Items.Count; i++)
        {
            var (name, tensor) = outputs.Items[i];
            if (!BatchingModel.Wanted(outputFilter, name))
            {
                continue;
            }
            if (next == _slots.Count)
            {
                _slots.Add(new TensorSlot());
            }
            var rank = tensor.Shape.Length;
            var rowShape = rank <= shape.Length ? shape[..rank] : new long[rank];
            tensor.Shape.CopyTo(rowShape);
            rowShape[0] = rows;
            var share = _slots[next++].Take(tensor.DataType, rowShape, clear: false);
            TensorRows.RowBytes(tensor, start, rows).CopyTo(share.Bytes);
            _set.Add(name, share);
        }
        _set.Lend();
        return _set;
    }

    /// <summary>The caller disposed the set: keep its buffers (up to a size) for the next request.</summary>
    public void Return(TensorSet set)
    {
        set.Clear();
        foreach (var slot in _slots)
        {
            slot.TrimAbove();
        }
        _pool.Return(this);
    }

    /// <summary>Returns the kept buffers (the pool is full or closed).</summary>
    public void Dispose()
    {
        foreach (var slot in _slots)
        {
            slot.Dispose();
        }
    }
}
