namespace RecServe.Core.Tensors;

/// <summary>
/// Keeps a <see cref="TensorSet"/> and its tensors for reuse (a predictor's output buffers): disposing a set it lent
/// hands it back here instead of disposing the tensors.
/// </summary>
public interface ITensorSetOwner
{
    /// <summary>Called once per <see cref="TensorSet.Lend"/>, when the borrower disposes the set.</summary>
    void Return(TensorSet set);
}
