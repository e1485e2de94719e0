namespace RecServe.Server.Hosting;

/// <summary>
/// "Something changed, look again": any number of <see cref="Set"/> calls before a wait collapse into one wake-up, so a
/// burst of file-system events causes one reload, not one per event.
/// </summary>
internal sealed class ChangeSignal : IDisposable
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);

    /// <summary>Wakes the next (or current) wait.</summary>
    public void Set()
    {
        if (_semaphore.CurrentCount == 0)
        {
            try
            {
                _semaphore.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another event set it between the check and the release: one wake-up is all that is needed.
            }
        }
    }

    /// <summary>Waits until set or <paramref name="timeout"/> passes; returns whether it was set.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _semaphore.WaitAsync(timeout, cancellationToken);

    /// <summary>Releases the semaphore.</summary>
    public void Dispose() => _semaphore.Dispose();
}
