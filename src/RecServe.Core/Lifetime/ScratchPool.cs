namespace RecServe.Core.Lifetime;

/// <summary>
/// Per-call working state (ONNX Runtime runners, a bundle's pooled embeddings, decoded request inputs), one item per
/// call running at once: a fixed set of slots taken and filled with one atomic exchange, so renting and returning
/// allocate nothing. A call finding every slot empty makes a new item; an item returned to full slots (or after the
/// pool closed) is dropped (disposed, if it is <see cref="IDisposable"/>).
/// </summary>
public sealed class ScratchPool<T> : IDisposable
    where T : class
{
    private readonly T?[] _slots;
    private readonly Func<ScratchPool<T>, T> _create;
    private volatile bool _disposed;

    /// <summary>Creates an empty pool of <paramref name="slots"/> slots; <paramref name="create"/> makes an item.</summary>
    public ScratchPool(int slots, Func<ScratchPool<T>, T> create)
    {
        _slots = new T?[Math.Max(slots, 1)];
        _create = create;
    }

    /// <summary>
    /// Slots for a pool of per-call state: two per core, since calls that wait (on I/O, a batch) overlap with those
    /// that compute.
    /// </summary>
    public static int DefaultSlots => Math.Clamp(2 * Environment.ProcessorCount, 4, 128);

    /// <summary>A free item, or a new one.</summary>
    public T Rent()
    {
        // Start at a slot picked by the thread, so a thread tends to get the item it used last, whose bindings are
        // likely to fit the buffers this thread's array pool hands out again.
        var start = Start();
        for (var k = 0; k < _slots.Length; k++)
        {
            var item = Interlocked.Exchange(ref _slots[(start + k) % _slots.Length], null);
            if (item is not null)
            {
                return item;
            }
        }
        return _create(this);
    }

    /// <summary>Puts <paramref name="item"/> back, or disposes it when there is no room or the pool is closed.</summary>
    public void Return(T item)
    {
        if (!_disposed)
        {
            var start = Start();
            for (var k = 0; k < _slots.Length; k++)
            {
                var slot = (start + k) % _slots.Length;
                if (Interlocked.CompareExchange(ref _slots[slot], item, null) is null)
                {
                    if (_disposed)
                    {
                        // Closed meanwhile: whichever of Dispose and this finds the item in its slot disposes it.
                        Drop(Interlocked.Exchange(ref _slots[slot], null));
                    }
                    return;
                }
            }
        }
        Drop(item);
    }

    private static void Drop(T? item) => (item as IDisposable)?.Dispose();

    private int Start() => (int)((uint)Environment.CurrentManagedThreadId % (uint)_slots.Length);

    /// <summary>Disposes the items in the pool; items still out are disposed when they come back.</summary>
    public void Dispose()
    {
        _disposed = true;
        for (var i = 0; i < _slots.Length; i++)
        {
            Drop(Interlocked.Exchange(ref _slots[i], null));
        }
    }
}
