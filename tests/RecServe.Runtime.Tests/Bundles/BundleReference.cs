using RecServe.Core.Tensors;
using RecServe.Embeddings.Tables;
using RecServe.Runtime.Onnx;

namespace RecServe.Runtime.Tests.Bundles;

/// <summary>
/// The test bundle's answer computed the plain way: rows read one by one (default row for unknown ids), pooled by
/// scalar loops, and fed with the dense input to the dense graph loaded on its own.
/// </summary>
internal static class BundleReference
{
    public static float[] Score(TestBundle bundle, Tensor dense, long[][] bagsA, long[][] bagsB, string poolingA)
    {
        using var ta = EmbeddingTable.Open(bundle.TablePath("ta"));
        using var tb = EmbeddingTable.Open(bundle.TablePath("tb"));
        var batch = bagsA.Length;
        var width = BundleRequests.Widest(bagsB);
        var row = new float[Math.Max(ta.Dim, tb.Dim)];
        var aPooled = new float[batch * ta.Dim];
        var bPooled = new float[batch * width * tb.Dim];
        var bIds = new long[batch * width];
        Array.Fill(bIds, -1);
        for (var r = 0; r < batch; r++)
        {
            foreach (var id in bagsA[r])
            {
                ta.ReadRowOrDefault(id, row);
                for (var j = 0; j < ta.Dim; j++)
                {
                    aPooled[r * ta.Dim + j] += row[j];
                }
            }
            if (poolingA == "mean" && bagsA[r].Length > 0)
            {
                for (var j = 0; j < ta.Dim; j++)
                {
                    aPooled[r * ta.Dim + j] /= bagsA[r].Length;
                }
            }
            for (var slot = 0; slot < bagsB[r].Length; slot++)
            {
                bIds[r * width + slot] = bagsB[r][slot];
                tb.ReadRowOrDefault(bagsB[r][slot], row);
                row.AsSpan(0, tb.Dim).CopyTo(bPooled.AsSpan((r * width + slot) * tb.Dim));
            }
        }
        using var graph = OnnxModel.Load(Path.Combine(bundle.VersionPath, "dense.onnx"), new OnnxModelOptions());
        var inputs = new Dictionary<string, Tensor>
        {
            ["dense"] = dense,
            ["a.pooled"] = Tensor.FromValues<float>(TensorDataType.Float32, [batch, ta.Dim], aPooled),
            ["b.pooled"] = Tensor.FromValues<float>(TensorDataType.Float32, [batch, width, tb.Dim], bPooled),
            ["b"] = Tensor.FromValues<long>(TensorDataType.Int64, [batch, width], bIds),
        };
        try
        {
            using var result = graph.Predict(inputs, []);
            return result.Find("score")!.AsSpan<float>().ToArray();
        }
        finally
        {
            inputs["a.pooled"].Dispose();
            inputs["b.pooled"].Dispose();
            inputs["b"].Dispose();
        }
    }

    public static void AssertClose(float[] expected, ReadOnlySpan<float> actual, float tolerance = 1e-5f)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])),
                $"value {i}: expected {expected[i]}, got {actual[i]}");
        }
    }
}
