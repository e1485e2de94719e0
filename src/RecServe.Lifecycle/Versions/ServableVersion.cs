using RecServe.Core.Lifetime;
using RecServe.Runtime;

namespace RecServe.Lifecycle.Versions;

/// <summary>
/// A loaded model version with a reference count: the manager holds one reference while the version is
/// served, and each request holds one through a <see cref="ServableHandle"/>. The model is disposed when the
/// last reference drops, so a retired version finishes its in-flight requests before it unloads.
/// </summary>
public sealed class ServableVersion
{
    private int _references = 1;
    private readonly Action<ServableVersion>? _onUnloaded;

    /// <summary>Wraps a freshly loaded model; the caller owns the first reference.</summary>
    public ServableVersion(string modelName, long version, IModel model, Action<ServableVersion>? onUnloaded = null)
    {
        ModelName = modelName;
        Version = version;
        Model = model;
        _onUnloaded = onUnloaded;
    }

    /// <summary>The model's name.</summary>
    public string ModelName { get; }

    /// <summary>The version number.</summary>
    public long Version { get; }

    /// <summary>The loaded model.</summary>
    public IModel Model { get; }

    /// <summary>Takes a reference unless the version has already been released for good.</summary>
    public bool TryAcquire() => ReferenceCount.TryIncrement(ref _references);

    /// <summary>Drops a reference; the last one disposes the model.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            Model.Dispose();
            _onUnloaded?.Invoke(this);
        }
    }
}
