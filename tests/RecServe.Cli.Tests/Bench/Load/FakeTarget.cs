using RecServe.Cli.Bench.Targets;
using RecServe.Core.Signatures;
using RecServe.Core.Tensors;

namespace RecServe.Cli.Tests.Bench.Load;

/// <summary>A target that answers after a fixed delay and counts the requests it holds at once.</summary>
internal sealed class FakeTarget(TimeSpan delay, string? status = null) : IBenchTarget
{
    private int _current;
    private int _highest;
    private int _calls;

    public int HighestConcurrency => Volatile.Read(ref _highest);

    public int Calls => Volatile.Read(ref _calls);

    public string Description => "fake";

    public Task<ModelSignature> GetSignatureAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new ModelSignature([], []));

    public void Prepare(IReadOnlyList<TensorSet> requests)
    {
    }

    public async ValueTask<string?> SendAsync(int request, int worker, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        var now = Interlocked.Increment(ref _current);
        var highest = Volatile.Read(ref _highest);
        while (now > highest && Interlocked.CompareExchange(ref _highest, now, highest) != highest)
        {
            highest = Volatile.Read(ref _highest);
        }
        try
        {
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, cancellationToken);
            }
            else
            {
                await Task.Yield();
            }
            return status;
        }
        finally
        {
            Interlocked.Decrement(ref _current);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
