namespace RecServe.Lifecycle;

/// <summary>
/// Runs model-update work (loading a version, warming it up, applying a delta) on a thread of its own instead of a
/// thread-pool thread. That work blocks for seconds; on a thread-pool thread it would take one of the few threads
/// that run requests (the pool starts with one per core and adds more only slowly), and requests would queue behind
/// it: the latency spike an update must not cause.
/// </summary>
internal static class UpdateThread
{
    /// <summary>Runs <paramref name="work"/> on a dedicated thread and completes with its result.</summary>
    public static Task<T> Run<T>(Func<T> work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
}
