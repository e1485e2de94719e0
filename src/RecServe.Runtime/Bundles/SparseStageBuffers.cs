using RecServe.Core.Tensors;

namespace RecServe.Runtime.Bundles;

/// <summary>
/// One call's pooled-embedding tensors, one slot per sparse feature, kept in the bundle's pool so the next call of
/// the same batch size writes into the same buffers (and finds them still bound to the dense graph's inputs).
/// </summary>
internal sealed class SparseStageBuffers(int features) : IDisposable
{
    /// <summary>The slots, in the bundle's feature order.</summary>
    public TensorSlot[] Slots { get; } = CreateSlots(features);

    private static TensorSlot[] CreateSlots(int count)
    {
        var slots = new TensorSlot[count];
        for (var i = 0; i < count; i++)
        {
            slots[i] = new TensorSlot();
        }
        return slots;
    }

    /// <summary>Lets go of buffers too large to keep between calls (<see cref="TensorSlot.DefaultKeptBytes"/>).</summary>
    public void Trim()
    {
        foreach (var slot in Slots)
        {
            slot.TrimAbove();
        }
    }

    /// <summary>Returns every kept buffer to the pool.</summary>
    public void Dispose()
    {
        foreach (var slot in Slots)
        {
            slot.Dispose();
        }
    }
}
