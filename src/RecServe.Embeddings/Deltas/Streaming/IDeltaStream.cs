namespace RecServe.Embeddings.Deltas.Streaming;

/// <summary>
/// Where a model's delta entries are read from: an append-only log of entries in id order (a Redis stream; the Redis
/// project implements it, so that this storage engine keeps no network client). Every replica reads every entry.
/// </summary>
public interface IDeltaStream : IAsyncDisposable
{
    /// <summary>Names the stream in messages and on the dashboard (e.g. <c>redis 10.0.0.1:6379 recserve:deltas:dlrm</c>).</summary>
    string Description { get; }

    /// <summary>
    /// Reads up to <paramref name="count"/> entries after <paramref name="after"/>, waiting up to <paramref name="block"/>
    /// for the first one to arrive; empty when none did.
    /// </summary>
    /// <exception cref="IOException">The stream cannot be reached or answered with an error.</exception>
    Task<IReadOnlyList<DeltaStreamEntry>> ReadAsync(StreamEntryId after, int count, TimeSpan block, CancellationToken cancellationToken);
}
