namespace RecServe.Embeddings.Tests;

/// <summary>What a test table holds: folder, ids in row order, the fp32 rows before encoding.</summary>
internal sealed record TableData(string Folder, long[] Ids, float[] Values, int Dim)
{
    public ReadOnlySpan<float> Row(int row) => Values.AsSpan(row * Dim, Dim);
}
