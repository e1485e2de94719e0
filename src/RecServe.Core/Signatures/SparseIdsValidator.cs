using RecServe.Core.Errors;
using RecServe.Core.Tensors;

namespace RecServe.Core.Signatures;

/// <summary>
/// The checks of one sparse feature's ids, values included (lengths, ids per row), so that a bad request is
/// refused alone before it can join a batch and fail the others.
/// </summary>
internal static class SparseIdsValidator
{
    /// <summary>Validates the feature and returns its batch size.</summary>
    public static long Validate(TensorSpec spec, SparseIdsSpec sparse, Tensor ids, Tensor? lengths)
    {
        if (ids.DataType != TensorDataType.Int64)
        {
            throw Invalid($"sparse feature '{spec.Name}' has type {ids.DataType.DisplayName()}; ids must be int64");
        }
        if (lengths is not null)
        {
            return ValidateRagged(spec.Name, sparse, ids, lengths);
        }
        if (ids.Shape.Length == 1)
        {
            return ids.Shape[0];
        }
        if (ids.Shape.Length != 2)
        {
            throw Invalid($"sparse feature '{spec.Name}' has rank {ids.Shape.Length} (shape {TensorShape.Format(ids.Shape)}); expected [batch] ids, [batch, L] ids padded with -1, or flat [n] ids with '{sparse.LengthsName}'");
        }
        if (ids.Shape[1] > sparse.MaxIdsPerRow)
        {
            throw Invalid($"sparse feature '{spec.Name}' has {ids.Shape[1]} ids per row (shape {TensorShape.Format(ids.Shape)}) but allows at most {sparse.MaxIdsPerRow} (max_ids_per_row)");
        }
        return ids.Shape[0];
    }

    private static long ValidateRagged(string name, SparseIdsSpec sparse, Tensor ids, Tensor lengths)
    {
        var lengthsName = sparse.LengthsName;
        if (ids.Shape.Length != 1)
        {
            throw Invalid($"sparse feature '{name}' comes with '{lengthsName}', so its ids must be a flat [n] list, not shape {TensorShape.Format(ids.Shape)}");
        }
        if (lengths.DataType is not (TensorDataType.Int32 or TensorDataType.Int64))
        {
            throw Invalid($"'{lengthsName}' has type {lengths.DataType.DisplayName()}; lengths must be int32 or int64");
        }
        if (lengths.Shape.Length != 1)
        {
            throw Invalid($"'{lengthsName}' has shape {TensorShape.Format(lengths.Shape)}; lengths must be [batch]");
        }
        var rows = (int)lengths.Shape[0];
        long total = 0;
        for (var row = 0; row < rows; row++)
        {
            var length = SparseIdsLayouts.LengthAt(lengths, row);
            if (length < 0)
            {
                throw Invalid($"'{lengthsName}' gives row {row} of sparse feature '{name}' a negative length {length}");
            }
            if (length > sparse.MaxIdsPerRow)
            {
                throw Invalid($"row {row} of sparse feature '{name}' has {length} ids but at most {sparse.MaxIdsPerRow} are allowed (max_ids_per_row)");
            }
            total += length;
        }
        if (total != ids.Shape[0])
        {
            throw Invalid($"'{lengthsName}' add up to {total} but sparse feature '{name}' holds {ids.Shape[0]} ids");
        }
        return rows;
    }

    private static ServingException Invalid(string message) => ServingException.InvalidArgument(message);
}
