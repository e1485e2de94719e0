namespace RecServe.Core.Tensors;

/// <summary>
/// An ordered set of named tensors that owns them: disposing the set disposes every tensor. A set made for an
/// <see cref="ITensorSetOwner"/> is lent instead: disposing it returns it to the owner, which keeps the tensors.
/// </summary>
public sealed class TensorSet : IDisposable
{
    private readonly List<NamedTensor> _items;
    private readonly ITensorSetOwner? _owner;
    // 1 while a lent set is out with a borrower: only the first Dispose of a loan returns it.
    private int _lent;

    /// <summary>Creates an empty set.</summary>
    public TensorSet(int capacity = 4)
    {
        _items = new List<NamedTensor>(capacity);
    }

    /// <summary>
    /// Creates an empty set that <paramref name="owner"/> reuses: <see cref="Dispose"/> leaves its tensors alone and
    /// calls <see cref="ITensorSetOwner.Return"/> once per <see cref="Lend"/>.
    /// </summary>
    public TensorSet(int capacity, ITensorSetOwner owner)
        : this(capacity)
    {
        _owner = owner ?? throw new ArgumentNullException(nameof(owner));
    }

    /// <summary>The tensors, in insertion order.</summary>
    public IReadOnlyList<NamedTensor> Items => _items;

    /// <summary>Adds a tensor; the set now owns it (or, for an owned set, holds it for the owner).</summary>
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

    /// <summary>Removes every tensor without disposing it (the owner refilling a set it reuses).</summary>
    public void Clear() => _items.Clear();

    /// <summary>Marks an owned set as handed out: the borrower's next <see cref="Dispose"/> returns it to the owner.</summary>
    public void Lend()
    {
        if (_owner is null)
        {
            throw new InvalidOperationException("only a set made for an owner can be lent");
        }
        if (Interlocked.Exchange(ref _lent, 1) != 0)
        {
            throw new InvalidOperationException("the set is already lent");
        }
    }

    /// <summary>Disposes every tensor, or returns a lent set to its owner (once, however often it is called).</summary>
    public void Dispose()
    {
        if (_owner is not null)
        {
            if (Interlocked.Exchange(ref _lent, 0) == 1)
            {
                _owner.Return(this);
            }
            return;
        }
        foreach (var item in _items)
        {
            item.Tensor.Dispose();
        }
        _items.Clear();
    }
}
