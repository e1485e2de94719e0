using RecServe.Embeddings.Deltas;

namespace RecServe.Embeddings.Overlay;

/// <summary>
/// Where an overlay sends the dense weights its deltas replace (the model's dense graph; the storage engine knows
/// nothing of graphs). Applying a delta prepares the new weights before anything is committed, so a weight that does
/// not fit refuses the whole delta, and publishes them only after the commit.
/// </summary>
public interface IDenseWeightTarget
{
    /// <summary>
    /// Checks <paramref name="weights"/> (every weight replaced so far, with those of the delta being applied) against
    /// the graph and makes ready a graph that uses them, not yet visible.
    /// </summary>
    /// <exception cref="DeltaFormatException">A weight is not in the graph, or has another type or shape.</exception>
    IPreparedDenseWeights Prepare(string deltaPath, IReadOnlyCollection<DenseWeightUpdate> weights);
}

/// <summary>A graph with replaced weights, made ready by <see cref="IDenseWeightTarget.Prepare"/>.</summary>
public interface IPreparedDenseWeights : IDisposable
{
    /// <summary>Makes the prepared graph the one that serves (disposing it afterwards then does nothing).</summary>
    void Publish();
}
