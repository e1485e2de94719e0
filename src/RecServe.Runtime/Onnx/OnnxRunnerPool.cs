namespace RecServe.Runtime.Onnx;

/// <summary>
/// The <see cref="OnnxRunner"/>s of one session, one per call running at once: a fixed set of slots taken and
/// filled with one atomic exchange, so renting and returning allocate nothing. A call finding every slot empty
/// makes a runner; a runner returned to full slots (or after the session closed) is disposed.
/// </summary>
internal sealed class OnnxRunnerPool : IDisposable
{
    private readonly OnnxRunner?[] _slots;
    private readonly Func<OnnxRunnerPool, OnnxRunner> _create;
    private volatile bool _disposed;

    public OnnxRunnerPool(int slots, Func<OnnxRunnerPool, OnnxRunner> create)
    {
        _slots = new OnnxRunner?[Math.Max(slots, 1)];
        _create = create;
    }

    /// <summary>A free runner, or a new one.</summary>
    public OnnxRunner Rent()
    {
        // Start at a slot picked by the thread, so a thread tends to get the runner it used last, whose inputs are
        // likely bound to the buffers this thread's pool hands out again.
        var start = Start();
        for (var k = 0; k < _slots.Length; k++)
        {
            var runner = Interlocked.Exchange(ref _slots[(start + k) % _slots.Length], null);
            if (runner is not null)
            {
                return runner;
            }
        }
        return _create(this);
    }

    /// <summary>Puts <paramref name="runner"/> back, or disposes it when there is no room or the pool is closed.</summary>
    public void Return(OnnxRunner runner)
    {
        if (!_disposed)
        {
            var start = Start();
            for (var k = 0; k < _slots.Length; k++)
            {
                if (Interlocked.CompareExchange(ref _slots[(start + k) % _slots.Length], runner, null) is null)
                {
                    if (_disposed)
                    {
                        // Closed meanwhile: whichever of Dispose and this sees the runner in its slot disposes it.
                        Interlocked.Exchange(ref _slots[(start + k) % _slots.Length], null)?.Dispose();
                    }
                    return;
                }
            }
        }
        runner.Dispose();
    }

    private int Start() => (int)((uint)Environment.CurrentManagedThreadId % (uint)_slots.Length);

    /// <summary>Disposes the runners in the pool; runners still out are disposed when they come back.</summary>
    public void Dispose()
    {
        _disposed = true;
        for (var i = 0; i < _slots.Length; i++)
        {
            Interlocked.Exchange(ref _slots[i], null)?.Dispose();
        }
    }
}
