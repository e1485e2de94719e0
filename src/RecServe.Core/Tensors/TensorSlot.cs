namespace RecServe.Core.Tensors;

/// <summary>
/// One fixed-size tensor kept for reuse by whoever owns the slot (a bundle feature's pooled embeddings, a decoded
/// request input): the next value of the same type and shape is written into the same buffer, so steady traffic
/// allocates nothing, and a different shape replaces it. Tensors taken from a slot belong to the slot: users must
/// not dispose them, and a tensor is valid until the next <see cref="Take"/>.
/// </summary>
public sealed class TensorSlot : IDisposable
{
    /// <summary>
    /// Largest tensor worth keeping between requests (as <c>TensorBuffers</c> pools up to 1 MiB): a rare huge request
    /// should not stay resident in every slot it passed through.
    /// </summary>
    public const int DefaultKeptBytes = 1 << 20;

    private Tensor? _tensor;

    /// <summary>
    /// A tensor of <paramref name="dataType"/> and <paramref name="shape"/>, zero-filled when <paramref name="clear"/>
    /// is set (leave it unset when every element is about to be written).
    /// </summary>
    public Tensor Take(TensorDataType dataType, ReadOnlySpan<long> shape, bool clear)
    {
        var tensor = _tensor;
        if (tensor is not null && tensor.DataType == dataType && shape.SequenceEqual(tensor.Shape))
        {
            if (clear)
            {
                tensor.Bytes.Clear();
            }
            return tensor;
        }
        tensor?.Dispose();
        _tensor = null;
        // Allocate zero-fills.
        _tensor = Tensor.Allocate(dataType, shape.ToArray());
        return _tensor;
    }

    /// <summary>Bytes of the kept tensor (0 when none).</summary>
    public int KeptBytes => _tensor?.Bytes.Length ?? 0;

    /// <summary>Lets go of the kept tensor when it holds more than <paramref name="maxBytes"/> bytes.</summary>
    public void TrimAbove(int maxBytes = DefaultKeptBytes)
    {
        if (_tensor is { } tensor && tensor.Bytes.Length > maxBytes)
        {
            Dispose();
        }
    }

    /// <summary>Returns the kept tensor's buffer to the pool; the slot stays usable.</summary>
    public void Dispose()
    {
        _tensor?.Dispose();
        _tensor = null;
    }
}
