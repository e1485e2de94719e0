namespace RecServe.Embeddings.Deltas.Streaming;

/// <summary>One entry read from a delta stream: its id and its fields as the stream holds them (names and raw values).</summary>
/// <param name="Id">The entry's id.</param>
/// <param name="Fields">Field names and values; a publisher's entry has the fields <see cref="DeltaStreamPart"/> names.</param>
public sealed record DeltaStreamEntry(StreamEntryId Id, IReadOnlyDictionary<string, ReadOnlyMemory<byte>> Fields);
