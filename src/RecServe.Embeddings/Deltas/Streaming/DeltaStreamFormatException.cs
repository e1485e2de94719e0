namespace RecServe.Embeddings.Deltas.Streaming;

/// <summary>A stream entry is not a delta part this code can read.</summary>
public sealed class DeltaStreamFormatException(string message) : Exception(message);
