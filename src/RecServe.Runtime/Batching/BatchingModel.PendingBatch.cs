using RecServe.Core.Lifetime;
using RecServe.Core.Tensors;

namespace RecServe.Runtime.Batching;

public sealed partial class BatchingModel
{
    /// <summary>
    /// A batch the scheduler formed, queued to the thread pool as itself (no closure, no Task) and kept for the next
    /// batch with its lists. Running it releases its items, so they can serve other requests once their callers have
    /// their results too.
    /// </summary>
    private sealed class PendingBatch(BatchingModel model, ScratchPool<PendingBatch> pool) : IThreadPoolWorkItem, IDisposable
    {
        /// <summary>The requests in queue order.</summary>
        public List<BatchItem> Items { get; } = [];

        // The items still wanted when the batch runs.
        private readonly List<BatchItem> _live = [];

        // The merged inputs, in tensors kept for the next batch of the same shapes.
        private readonly InputTensorBuffers _merged = new();

        public void Execute()
        {
            try
            {
                model.RunBatch(Items, _live, _merged);
            }
            catch (Exception e)
            {
                // Only an observer can throw here (the model's errors go to the requests); a thread-pool work item
                // must not throw, and no request may wait forever.
                foreach (var item in Items)
                {
                    item.TrySetException(e);
                }
            }
            finally
            {
                foreach (var item in Items)
                {
                    item.Release();
                }
                Items.Clear();
                _live.Clear();
                pool.Return(this);
                model._slots.Release();
            }
        }

        /// <summary>Returns the merged inputs' buffers (the pool is full or closed).</summary>
        public void Dispose() => _merged.Dispose();
    }
}
