using System.Collections.Concurrent;
using RecServe.Core.Errors;

namespace RecServe.Server.Serving;

/// <summary>
/// Caps the requests in flight per model (<c>--max_concurrent_requests_per_model</c>): one more is refused at once
/// with RESOURCE_EXHAUSTED (HTTP 429), so overload of one model answers fast instead of queueing memory and latency
/// that every other model's requests then share. A limit of 0 admits everything.
/// </summary>
public sealed class ModelConcurrencyLimiter(int limit)
{
    private readonly ConcurrentDictionary<string, StrongBox> _inFlight = new(StringComparer.Ordinal);

    /// <summary>The cap per model; 0 for none.</summary>
    public int Limit { get; } = limit >= 0 ? limit : throw new ArgumentOutOfRangeException(nameof(limit), limit, "0 or more");

    /// <summary>Requests of <paramref name="model"/> now in flight.</summary>
    public int InFlight(string model) => _inFlight.TryGetValue(model, out var box) ? Volatile.Read(ref box.Value) : 0;

    /// <summary>Admits one request of <paramref name="model"/>; dispose the result when it is answered.</summary>
    /// <exception cref="ServingException">RESOURCE_EXHAUSTED: the model has <see cref="Limit"/> requests in flight.</exception>
    public Admission Enter(string model)
    {
        if (Limit == 0)
        {
            return default;
        }
        var box = _inFlight.GetOrAdd(model, static _ => new StrongBox());
        if (Interlocked.Increment(ref box.Value) > Limit)
        {
            Interlocked.Decrement(ref box.Value);
            throw new ServingException(ServingErrorCode.ResourceExhausted,
                $"model '{model}' already has {Limit} requests in flight (--max_concurrent_requests_per_model); retry later");
        }
        return new Admission(box);
    }

    /// <summary>One admitted request; disposing it frees its place.</summary>
    public readonly struct Admission : IDisposable
    {
        private readonly StrongBox? _box;

        internal Admission(StrongBox box) => _box = box;

        /// <summary>Frees the place.</summary>
        public void Dispose()
        {
            if (_box is not null)
            {
                Interlocked.Decrement(ref _box.Value);
            }
        }
    }

    /// <summary>A counter that can be shared by reference.</summary>
    internal sealed class StrongBox
    {
        public int Value;
    }
}
