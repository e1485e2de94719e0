using RecServe.Embeddings.Deltas.Streaming;

namespace RecServe.Lifecycle.Tests.Fakes;

/// <summary>
/// An in-memory stream log shared by the <see cref="MemoryDeltaStream"/> readers of several managers (a restart reads
/// the same log): appends get increasing ids, a read after an id blocks until a later entry arrives or its time passes,
/// and <see cref="Down"/> makes every read fail as an unreachable Redis does.
/// </summary>
public sealed class MemoryStreamLog
{
    private readonly List<DeltaStreamEntry> _entries = [];
    private TaskCompletionSource _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool Down { get; set; }

    public int Readers;

    public int Disposed;

    public void Append(IEnumerable<KeyValuePair<string, ReadOnlyMemory<byte>>> fields)
    {
        lock (_entries)
        {
            _entries.Add(new DeltaStreamEntry(new StreamEntryId((ulong)_entries.Count + 1, 0), fields.ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal)));
            _appended.TrySetResult();
            _appended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public async Task<IReadOnlyList<DeltaStreamEntry>> ReadAsync(StreamEntryId after, int count, TimeSpan block, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + block;
        while (true)
        {
            if (Down)
            {
                await Task.Delay(10, cancellationToken);
                throw new IOException("connection refused (the test took the stream down)");
            }
            Task appended;
            lock (_entries)
            {
                var found = _entries.Where(e => e.Id > after).Take(count).ToList();
                if (found.Count > 0)
                {
                    return found;
                }
                appended = _appended.Task;
            }
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                return [];
            }
            await Task.WhenAny(appended, Task.Delay(left, cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
        }
    }
}

/// <summary>One reader of a <see cref="MemoryStreamLog"/>, as the server opens one per served version.</summary>
public sealed class MemoryDeltaStream : IDeltaStream
{
    private readonly MemoryStreamLog _log;

    public MemoryDeltaStream(MemoryStreamLog log)
    {
        _log = log;
        Interlocked.Increment(ref log.Readers);
    }

    public string Description => "memory test-stream";

    public Task<IReadOnlyList<DeltaStreamEntry>> ReadAsync(StreamEntryId after, int count, TimeSpan block, CancellationToken cancellationToken) =>
        _log.ReadAsync(after, count, block, cancellationToken);

    public ValueTask DisposeAsync()
    {
        Interlocked.Increment(ref _log.Disposed);
        return ValueTask.CompletedTask;
    }
}
