namespace RecServe.Core.Tensors;

/// <summary>
/// A request's input tensors by name, decoded into buffers kept for the next request: an input of the same name,
/// type and shape lands in the same tensor, so a steady stream of requests decodes without allocating. One request
/// uses it at a time (a pool hands it out); <see cref="Clear"/> it when the request is done. The tensors belong to
/// it: callers never dispose them.
/// </summary>
public sealed class InputTensorBuffers : IDisposable
{
    // Clients choose input names, so the kept slots are capped: past this many, all are dropped and start again.
    private const int MaxKeptNames = 64;

    /// <summary>
    /// Most bytes kept between requests, all inputs together: past this, every kept buffer is let go, so a pool of
    /// these holds at most this much per item whatever clients send.
    /// </summary>
    public const long MaxKeptBytes = 8L << 20;

    private readonly Dictionary<string, TensorSlot> _slots = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Tensor> _inputs = new(StringComparer.Ordinal);
    private List<Tensor>? _owned;

    /// <summary>The inputs taken since the last <see cref="Clear"/>.</summary>
    public IReadOnlyDictionary<string, Tensor> Inputs => _inputs;

    /// <summary>Bytes of the tensors kept for the next request.</summary>
    public long KeptBytes
    {
        get
        {
            long total = 0;
            foreach (var slot in _slots.Values)
            {
                total += slot.KeptBytes;
            }
            return total;
        }
    }

    /// <summary>Number of inputs taken since the last <see cref="Clear"/>.</summary>
    public int Count => _inputs.Count;

    /// <summary>Whether an input named <paramref name="name"/> was taken since the last <see cref="Clear"/>.</summary>
    public bool Contains(string name) => _inputs.ContainsKey(name);

    /// <summary>
    /// The tensor for input <paramref name="name"/> (not taken yet in this request), of <paramref name="dataType"/>
    /// and <paramref name="shape"/>; zero-filled when <paramref name="clear"/> is set.
    /// </summary>
    public Tensor Take(string name, TensorDataType dataType, ReadOnlySpan<long> shape, bool clear)
    {
        if (!_slots.TryGetValue(name, out var slot))
        {
            if (_slots.Count >= MaxKeptNames)
            {
                DropSlotsNotInUse();
            }
            slot = new TensorSlot();
            _slots.Add(name, slot);
        }
        var tensor = slot.Take(dataType, shape, clear);
        _inputs.Add(name, tensor);
        return tensor;
    }

    /// <summary>Adds a tensor the caller made (a string tensor, which is never kept); <see cref="Clear"/> disposes it.</summary>
    public void AddOwned(string name, Tensor tensor)
    {
        _inputs.Add(name, tensor);
        _owned ??= [];
        _owned.Add(tensor);
    }

    /// <summary>Ends the request: forgets its inputs and keeps their buffers (up to a size) for the next one.</summary>
    public void Clear()
    {
        foreach (var (name, tensor) in _inputs)
        {
            if (tensor.DataType != TensorDataType.String && tensor.Bytes.Length > TensorSlot.DefaultKeptBytes && _slots.TryGetValue(name, out var slot))
            {
                slot.TrimAbove();
            }
        }
        _inputs.Clear();
        if (KeptBytes > MaxKeptBytes)
        {
            foreach (var slot in _slots.Values)
            {
                slot.Dispose();
            }
        }
        if (_owned is { Count: > 0 })
        {
            foreach (var tensor in _owned)
            {
                tensor.Dispose();
            }
            _owned.Clear();
        }
    }

    private void DropSlotsNotInUse()
    {
        foreach (var (name, slot) in _slots)
        {
            if (!_inputs.ContainsKey(name))
            {
                slot.Dispose();
                _slots.Remove(name);
            }
        }
    }

    /// <summary>Returns every kept buffer to the pool.</summary>
    public void Dispose()
    {
        Clear();
        foreach (var slot in _slots.Values)
        {
            slot.Dispose();
        }
        _slots.Clear();
    }
}
