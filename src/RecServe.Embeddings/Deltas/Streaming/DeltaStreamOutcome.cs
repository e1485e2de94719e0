namespace RecServe.Embeddings.Deltas.Streaming;

/// <summary>
/// What the <see cref="DeltaStreamAssembler"/> made of a publication: the delta file put back together and verified
/// (<see cref="File"/>), or a refusal (<see cref="Refusal"/>) of all its entries.
/// </summary>
/// <param name="Seq">The delta's seq (0 when an entry could not even say that).</param>
/// <param name="FirstEntry">The publication's first entry in the stream.</param>
/// <param name="LastEntry">Its last entry.</param>
/// <param name="PublishedAt">When it was published (the epoch when unknown).</param>
/// <param name="File">The whole delta file, its checksum verified; null when refused.</param>
/// <param name="Refusal">Why the entries were refused; null when <paramref name="File"/> is set.</param>
public sealed record DeltaStreamOutcome(long Seq, StreamEntryId FirstEntry, StreamEntryId LastEntry, DateTimeOffset PublishedAt, byte[]? File, string? Refusal);
