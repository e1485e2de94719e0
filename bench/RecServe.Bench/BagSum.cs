using System.Numerics;

namespace RecServe.Bench;

/// <summary>Sum pooling of gathered rows: rows [bags × bagSize, dim] into [bags, dim], vectorised.</summary>
public static class BagSum
{
    /// <summary>output[b] = Σ rows[b·bagSize .. (b+1)·bagSize).</summary>
    public static void Sum(ReadOnlySpan<float> rows, int bagSize, int dim, Span<float> output)
    {
        var bags = output.Length / dim;
        for (var b = 0; b < bags; b++)
        {
            var destination = output.Slice(b * dim, dim);
            rows.Slice(b * bagSize * dim, dim).CopyTo(destination);
            for (var j = 1; j < bagSize; j++)
            {
                Add(rows.Slice((b * bagSize + j) * dim, dim), destination);
            }
        }
    }

    private static void Add(ReadOnlySpan<float> row, Span<float> destination)
    {
        var c = 0;
        for (; c + Vector<float>.Count <= row.Length; c += Vector<float>.Count)
        {
            (new Vector<float>(row[c..]) + new Vector<float>(destination[c..])).CopyTo(destination[c..]);
        }
        for (; c < row.Length; c++)
        {
            destination[c] += row[c];
        }
    }
}
