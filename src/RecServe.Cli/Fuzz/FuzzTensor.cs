using RecServe.Core.Tensors;

namespace RecServe.Cli.Fuzz;

/// <summary>
/// One input of a generated request before it is encoded: what the request claims (name, type, shape) and the
/// values it carries, which need not agree with each other or with the model's signature.
/// </summary>
/// <param name="Name">The input name the request uses.</param>
/// <param name="DataType">The claimed element type.</param>
/// <param name="Shape">The claimed dimensions; may be negative, huge, or disagree with the value count.</param>
/// <param name="Values">Element values (numbers; strings are their decimal text); may hold NaN and infinities.</param>
/// <param name="Packed">Whether the values travel as bytes (<c>tensor_content</c>, <c>raw_input_contents</c>) or typed fields.</param>
internal sealed record FuzzTensor(string Name, TensorDataType DataType, long[] Shape, double[] Values, bool Packed)
{
    /// <summary>The product of the dimensions, or null when it is negative or overflows a long.</summary>
    public long? ElementCount
    {
        get
        {
            long count = 1;
            foreach (var dim in Shape)
            {
                if (dim < 0)
                {
                    return null;
                }
                try
                {
                    count = checked(count * dim);
                }
                catch (OverflowException)
                {
                    return null;
                }
            }
            return count;
        }
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Name}:{DataType}[{string.Join(",", Shape)}]{(Packed ? " packed" : string.Empty)} {Values.Length} values"
        + (Values.Length <= 8 ? " (" + string.Join(" ", Values) + ")" : string.Empty);
}
