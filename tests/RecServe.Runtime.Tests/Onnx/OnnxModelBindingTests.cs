using RecServe.Core.Tensors;
using RecServe.Runtime.Onnx;

namespace RecServe.Runtime.Tests.Onnx;

/// <summary>
/// The bound path of <see cref="OnnxModel"/>: outputs written by ONNX Runtime into pooled runners' buffers. What a
/// warmed call allocates, and that outputs lent out at the same time, across batch sizes, stay right.
/// </summary>
public sealed class OnnxModelBindingTests
{
    private static OnnxModel Load(string name, long version = 1) => OnnxModel.Load(FixtureModels.OnnxPath(name, version), new OnnxModelOptions());

    private static Tensor Rows(int rows, int width, int seed)
    {
        var random = new Random(seed);
        var values = new float[rows * width];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)(random.NextDouble() * 4 - 2);
        }
        return Tensor.FromValues<float>(TensorDataType.Float32, [rows, width], values);
    }

    private static float[] PredictOnce(OnnxModel model, Tensor x)
    {
        using var outputs = model.Predict(new Dictionary<string, Tensor> { ["x"] = x }, []);
        return outputs.Items[0].Tensor.AsSpan<float>().ToArray();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(256)]
    public void AWarmedCallAllocatesNothing(int rows)
    {
        using var model = Load("mlp_opset17");
        using var x = Rows(rows, 8, seed: 1);
        var inputs = new Dictionary<string, Tensor> { ["x"] = x };
        IReadOnlyList<string> all = [];
        for (var i = 0; i < 3; i++)
        {
            model.Predict(inputs, all).Dispose();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            model.Predict(inputs, all).Dispose();
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void AWarmedCallWithSeveralOutputTypesAllocatesNothing()
    {
        using var model = Load("multi_io");
        using var features = Tensor.FromValues<float>(TensorDataType.Float32, [3, 4], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        using var ids = Tensor.FromValues<long>(TensorDataType.Int64, [3, 3], [1, 2, 3, 4, 60, -1, 0, 0, 49]);
        using var scale = Tensor.FromValues<double>(TensorDataType.Float64, [3, 1], [1, 0.5, 2]);
        var inputs = new Dictionary<string, Tensor> { ["features"] = features, ["ids"] = ids, ["scale"] = scale };
        IReadOnlyList<string> all = [];
        for (var i = 0; i < 3; i++)
        {
            model.Predict(inputs, all).Dispose();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        long idSum;
        using (var outputs = model.Predict(inputs, all))
        {
            idSum = outputs.Find("id_sum")!.AsSpan<long>()[1];
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(63, idSum);
    }

    [Fact]
    public void OutputsHeldAtOnceKeepTheirOwnValues()
    {
        using var model = Load("mlp_opset17", 2);
        using var a = Rows(4, 8, seed: 2);
        using var b = Rows(4, 8, seed: 3);
        var expectedA = PredictOnce(model, a);
        var expectedB = PredictOnce(model, b);

        using var first = model.Predict(new Dictionary<string, Tensor> { ["x"] = a }, []);
        using var second = model.Predict(new Dictionary<string, Tensor> { ["x"] = b }, []);

        Assert.NotEqual(expectedA, expectedB);
        Assert.Equal(expectedA, first.Items[0].Tensor.AsSpan<float>().ToArray());
        Assert.Equal(expectedB, second.Items[0].Tensor.AsSpan<float>().ToArray());
    }

    [Fact]
    public void ChangingBatchSizesRebindsOutputs()
    {
        using var reference = Load("mlp_opset17", 2);
        using var model = Load("mlp_opset17", 2);
        var batches = new[] { Rows(4, 8, seed: 4), Rows(1, 8, seed: 5), Rows(9, 8, seed: 6), Rows(4, 8, seed: 7) };
        try
        {
            // The reference's first call of each shape is a plain run; the model under test runs them in a row.
            var expected = batches.Select(x => PredictOnce(reference, x)).ToArray();
            for (var round = 0; round < 3; round++)
            {
                for (var i = 0; i < batches.Length; i++)
                {
                    using var outputs = model.Predict(new Dictionary<string, Tensor> { ["x"] = batches[i] }, []);
                    Assert.Equal([batches[i].Shape[0], 3L], outputs.Items[0].Tensor.Shape);
                    Assert.Equal(expected[i], outputs.Items[0].Tensor.AsSpan<float>().ToArray());
                }
            }
        }
        finally
        {
            foreach (var batch in batches)
            {
                batch.Dispose();
            }
        }
    }

    [Fact]
    public void DisposingOutputsTwiceReturnsTheirRunnerOnce()
    {
        using var model = Load("mlp_opset17", 2);
        using var a = Rows(2, 8, seed: 8);
        using var b = Rows(2, 8, seed: 9);
        var expectedA = PredictOnce(model, a);
        var expectedB = PredictOnce(model, b);

        var outputs = model.Predict(new Dictionary<string, Tensor> { ["x"] = a }, []);
        outputs.Dispose();
        outputs.Dispose();
        // Returned twice, the runner would be handed to both of these calls and the second would overwrite the first.
        using var first = model.Predict(new Dictionary<string, Tensor> { ["x"] = a }, []);
        using var second = model.Predict(new Dictionary<string, Tensor> { ["x"] = b }, []);

        Assert.Equal(expectedA, first.Items[0].Tensor.AsSpan<float>().ToArray());
        Assert.Equal(expectedB, second.Items[0].Tensor.AsSpan<float>().ToArray());
    }

    [Fact]
    public void InputsAtChangingAddressesAreCopiedWithoutAllocating()
    {
        using var model = Load("mlp_opset17", 2);
        using var a = Rows(16, 8, seed: 10);
        using var b = Rows(16, 8, seed: 11);
        var inputsA = new Dictionary<string, Tensor> { ["x"] = a };
        var inputsB = new Dictionary<string, Tensor> { ["x"] = b };
        IReadOnlyList<string> all = [];
        var expectedA = PredictOnce(model, a);
        var expectedB = PredictOnce(model, b);
        for (var i = 0; i < 3; i++)
        {
            model.Predict(inputsA, all).Dispose();
            model.Predict(inputsB, all).Dispose();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        float lastA = 0, lastB = 0;
        for (var i = 0; i < 20; i++)
        {
            using (var outputs = model.Predict(inputsA, all))
            {
                lastA = outputs.Items[0].Tensor.AsSpan<float>()[^1];
            }
            using (var outputs = model.Predict(inputsB, all))
            {
                lastB = outputs.Items[0].Tensor.AsSpan<float>()[^1];
            }
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(expectedA[^1], lastA);
        Assert.Equal(expectedB[^1], lastB);
        Assert.NotEqual(lastA, lastB);
    }

    [Fact]
    public void BoundAndPlainRunsGiveTheSameOutputs()
    {
        var path = FixtureModels.OnnxPath("multi_io", 1);
        using var bound = OnnxModel.Load(path, new OnnxModelOptions());
        using var plain = OnnxModel.Load(path, new OnnxModelOptions { BindOutputs = false });
        using var features = Tensor.FromValues<float>(TensorDataType.Float32, [3, 4], [1, -2, 3, 4, 5, 6, -7, 8, 9, 10, 11, -12]);
        using var ids = Tensor.FromValues<long>(TensorDataType.Int64, [3, 3], [1, 2, 3, 4, 60, -1, 0, 0, 49]);
        using var scale = Tensor.FromValues<double>(TensorDataType.Float64, [3, 1], [1, 0.5, 2]);
        var inputs = new Dictionary<string, Tensor> { ["features"] = features, ["ids"] = ids, ["scale"] = scale };
        // The first call of the bound model is a plain run that checks the output shapes; the later ones are bound.
        bound.Predict(inputs, []).Dispose();

        for (var i = 0; i < 3; i++)
        {
            using var a = bound.Predict(inputs, []);
            using var b = plain.Predict(inputs, []);
            Assert.Equal(b.Items.Select(o => o.Name), a.Items.Select(o => o.Name));
            for (var o = 0; o < a.Items.Count; o++)
            {
                Assert.Equal(b.Items[o].Tensor.DataType, a.Items[o].Tensor.DataType);
                Assert.Equal(b.Items[o].Tensor.Shape, a.Items[o].Tensor.Shape);
                Assert.Equal(b.Items[o].Tensor.Bytes.ToArray(), a.Items[o].Tensor.Bytes.ToArray());
            }
        }
    }
}
