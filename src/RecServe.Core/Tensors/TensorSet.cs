namespace RecServe.Core.Tensors;

/// <summary>An ordered set of named tensors that owns them: disposing the set disposes every tensor.</summary>
public sealed class TensorSet : IDisposable
{
    private readonly List<NamedTensor> _items;

    /// <summary>Creates an empty set.</summary>
    public TensorSet(int capacity = 4)
    {
        _items = new List<NamedTensor>(capacity);
    }

    /// <summary>The tensors, in insertion order.</summary>
    public IReadOnlyList<NamedTensor> Items => _items;

    /// <summary>Adds a tensor; the set now owns it.</summary>
    public void Add(string name, Tensor tensor) => _items.Add(new NamedTensor(name, tensor));

    /// <summary>The tensor named <paramref name="name"/>, or null.</summary>
    public Tensor? Find(string name)
    {
        foreach (var item in _items)
        {
            if (item.Name == name)
            {
                return item.Tensor;
            }
        }
        return null;
    }

    /// <summary>Disposes every tensor.</summary>
    public void Dispose()
    {
        foreach (var item in _items)
        {
            item.Tensor.Dispose();
        }
        _items.Clear();
    }
}
