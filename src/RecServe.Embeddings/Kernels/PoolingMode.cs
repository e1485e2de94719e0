namespace RecServe.Embeddings.Kernels;

/// <summary>How the rows of one bag of ids are combined.</summary>
public enum PoolingMode
{
    /// <summary>Element-wise sum of the bag's rows; an empty bag gives zeros.</summary>
    Sum,

    /// <summary>Sum divided by the number of non-padding ids; an empty bag gives zeros.</summary>
    Mean,

    /// <summary>No pooling: one output row per id slot, zeros for padding.</summary>
    None,
}
