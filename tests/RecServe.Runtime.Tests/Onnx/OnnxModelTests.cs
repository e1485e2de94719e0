using RecServe.Core.Signatures;
using RecServe.Core.Tensors;
using RecServe.Runtime.Onnx;

namespace RecServe.Runtime.Tests.Onnx;

public sealed class OnnxModelTests
{
    private static readonly OnnxModelOptions Options = new();

    private static OnnxModel Load(string name, long version = 1) => OnnxModel.Load(FixtureModels.OnnxPath(name, version), Options);

    private static void AssertSpecs(IReadOnlyList<TensorSpec> specs, params (string Name, TensorDataType Type, long[] Shape)[] expected)
    {
        Assert.Equal(expected.Length, specs.Count);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Name, specs[i].Name);
            Assert.Equal(expected[i].Type, specs[i].DataType);
            Assert.Equal(expected[i].Shape, specs[i].Shape);
        }
    }

    private static float[] RandomRows(int rows, int width, int seed)
    {
        var random = new Random(seed);
        var values = new float[rows * width];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)(random.NextDouble() * 4 - 2);
        }
        return values;
    }

    private static float[] PredictMlp(OnnxModel model, float[] x)
    {
        using var input = Tensor.FromValues<float>(TensorDataType.Float32, [x.Length / 8, 8], x);
        using var outputs = model.Predict(new Dictionary<string, Tensor> { ["x"] = input }, []);
        var y = Assert.Single(outputs.Items);
        Assert.Equal("y", y.Name);
        Assert.Equal(TensorDataType.Float32, y.Tensor.DataType);
        Assert.Equal([x.Length / 8L, 3L], y.Tensor.Shape);
        return y.Tensor.AsSpan<float>().ToArray();
    }

    [Theory]
    [InlineData("mlp_opset13", 1)]
    [InlineData("mlp_opset15", 1)]
    [InlineData("mlp_opset17", 1)]
    [InlineData("mlp_opset17", 2)]
    public void MlpSignatureHasADynamicBatch(string name, long version)
    {
        using var model = Load(name, version);

        AssertSpecs(model.Signature.Inputs, ("x", TensorDataType.Float32, [-1, 8]));
        AssertSpecs(model.Signature.Outputs, ("y", TensorDataType.Float32, [-1, 3]));
        Assert.True(model.Signature.Inputs[0].HasDynamicBatch);
    }

    [Fact]
    public void MultiIoSignatureKeepsOrderTypesAndShapes()
    {
        using var model = Load("multi_io");

        AssertSpecs(model.Signature.Inputs,
            ("features", TensorDataType.Float32, [-1, 4]),
            ("ids", TensorDataType.Int64, [-1, 3]),
            ("scale", TensorDataType.Float64, [-1, 1]));
        AssertSpecs(model.Signature.Outputs,
            ("score", TensorDataType.Float32, [-1, 1]),
            ("logits", TensorDataType.Float32, [-1, 2]),
            ("id_sum", TensorDataType.Int64, [-1]),
            ("positive", TensorDataType.Bool, [-1]));
    }

    [Fact]
    public void HalfIoSignature()
    {
        using var model = Load("half_io");

        AssertSpecs(model.Signature.Inputs, ("x", TensorDataType.Float16, [-1, 4]), ("n", TensorDataType.Int32, [-1]));
        AssertSpecs(model.Signature.Outputs, ("y", TensorDataType.Float16, [-1, 4]), ("n_plus_one", TensorDataType.Int32, [-1]));
    }

    [Fact]
    public void StringsSignature()
    {
        using var model = Load("strings");

        AssertSpecs(model.Signature.Inputs, ("text", TensorDataType.String, [-1]), ("flag", TensorDataType.Bool, [-1]));
        AssertSpecs(model.Signature.Outputs, ("text_out", TensorDataType.String, [-1]), ("flag_not", TensorDataType.Bool, [-1]));
    }

    [Fact]
    public void MlpIsDeterministic()
    {
        using var model = Load("mlp_opset13");
        var x = RandomRows(5, 8, seed: 1);

        var first = PredictMlp(model, x);
        var second = PredictMlp(model, x);

        Assert.Equal(first, second);
        Assert.All(first, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void MlpRowsAreIndependentOfTheirBatch()
    {
        using var model = Load("mlp_opset13");
        var a = RandomRows(1, 8, seed: 2);
        var b = RandomRows(1, 8, seed: 3);

        var batched = PredictMlp(model, [.. a, .. b]);
        var alone = PredictMlp(model, a).Concat(PredictMlp(model, b)).ToArray();

        // A batch of two may take another GEMM kernel than a batch of one, so allow rounding differences.
        Assert.Equal(alone.Length, batched.Length);
        for (var i = 0; i < alone.Length; i++)
        {
            Assert.Equal(alone[i], batched[i], 1e-5f);
        }
        Assert.NotEqual(batched[..3], batched[3..]);
    }

    [Fact]
    public void MlpVersionsHaveDifferentWeights()
    {
        using var one = Load("mlp_opset17", 1);
        using var two = Load("mlp_opset17", 2);
        var x = RandomRows(2, 8, seed: 4);

        Assert.NotEqual(PredictMlp(one, x), PredictMlp(two, x));
    }

    [Fact]
    public void MlpAcceptsAnEmptyBatch()
    {
        using var model = Load("mlp_opset13");

        Assert.Empty(PredictMlp(model, []));
    }

    [Fact]
    public void HalfIoComputesExactly()
    {
        using var model = Load("half_io");
        Half[] x = [(Half)0, (Half)0.5, (Half)(-3), (Half)100, (Half)1.25, (Half)(-0.75), (Half)1024, (Half)7];
        int[] n = [-1, int.MaxValue - 1];
        using var xTensor = Tensor.FromValues<Half>(TensorDataType.Float16, [2, 4], x);
        using var nTensor = Tensor.FromValues<int>(TensorDataType.Int32, [2], n);

        using var outputs = model.Predict(new Dictionary<string, Tensor> { ["x"] = xTensor, ["n"] = nTensor }, []);

        Assert.Equal(["y", "n_plus_one"], outputs.Items.Select(o => o.Name));
        var y = outputs.Find("y")!;
        Assert.Equal(TensorDataType.Float16, y.DataType);
        Assert.Equal([2L, 4L], y.Shape);
        Assert.Equal(x.Select(v => (Half)((float)v * 2 + 1)).ToArray(), y.AsSpan<Half>().ToArray());
        var nPlusOne = outputs.Find("n_plus_one")!;
        Assert.Equal(TensorDataType.Int32, nPlusOne.DataType);
        Assert.Equal([0, int.MaxValue], nPlusOne.AsSpan<int>().ToArray());
    }

    [Fact]
    public void StringsPassTextThroughAndNegateFlags()
    {
        using var model = Load("strings");
        // Not UTF-8 and with an embedded NUL: a string tensor carries arbitrary bytes (e.g. serialized protos).
        byte[][] text = ["héllo"u8.ToArray(), [], [0xff, 0x00, 0xfe, 0x41]];
        using var textTensor = Tensor.FromStrings([3], text);
        using var flagTensor = Tensor.FromValues<byte>(TensorDataType.Bool, [3], [1, 0, 1]);

        using var outputs = model.Predict(new Dictionary<string, Tensor> { ["text"] = textTensor, ["flag"] = flagTensor }, []);

        Assert.Equal(["text_out", "flag_not"], outputs.Items.Select(o => o.Name));
        var textOut = outputs.Find("text_out")!;
        Assert.Equal(TensorDataType.String, textOut.DataType);
        Assert.Equal([3L], textOut.Shape);
        Assert.Equal(text, textOut.Strings);
        var flagNot = outputs.Find("flag_not")!;
        Assert.Equal(TensorDataType.Bool, flagNot.DataType);
        Assert.Equal([(byte)0, (byte)1, (byte)0], flagNot.AsSpan<byte>().ToArray());
    }

    private static Dictionary<string, Tensor> MultiIoInputs()
    {
        var features = Tensor.FromValues<float>(TensorDataType.Float32, [3, 4], RandomRows(3, 4, seed: 5));
        var ids = Tensor.FromValues<long>(TensorDataType.Int64, [3, 3], [1, 2, 3, 4, 60, -1, 0, 0, 49]);
        var scale = Tensor.FromValues<double>(TensorDataType.Float64, [3, 1], [1, 0.5, 2]);
        return new Dictionary<string, Tensor> { ["features"] = features, ["ids"] = ids, ["scale"] = scale };
    }

    [Fact]
    public void MultiIoComputesIdSumAndPositiveFromScore()
    {
        using var model = Load("multi_io");
        var inputs = MultiIoInputs();
        try
        {
            using var outputs = model.Predict(inputs, []);

            Assert.Equal(["score", "logits", "id_sum", "positive"], outputs.Items.Select(o => o.Name));
            Assert.Equal([3L, 1L], outputs.Find("score")!.Shape);
            Assert.Equal([3L, 2L], outputs.Find("logits")!.Shape);
            Assert.Equal([6L, 63L, 49L], outputs.Find("id_sum")!.AsSpan<long>().ToArray());
            var score = outputs.Find("score")!.AsSpan<float>().ToArray();
            Assert.All(score, s => Assert.InRange(s, 0f, 1f));
            var positive = outputs.Find("positive")!.AsSpan<byte>().ToArray();
            Assert.Equal(score.Select(s => s > 0.5f ? (byte)1 : (byte)0), positive);
        }
        finally
        {
            foreach (var tensor in inputs.Values)
            {
                tensor.Dispose();
            }
        }
    }

    [Fact]
    public void OutputFilterReturnsOnlyNamedOutputsInSignatureOrder()
    {
        using var model = Load("multi_io");
        var inputs = MultiIoInputs();
        try
        {
            using var all = model.Predict(inputs, []);
            using var filtered = model.Predict(inputs, ["positive", "score", "positive"]);

            Assert.Equal(["score", "positive"], filtered.Items.Select(o => o.Name));
            Assert.Equal(all.Find("score")!.AsSpan<float>().ToArray(), filtered.Find("score")!.AsSpan<float>().ToArray());
            Assert.Equal(all.Find("positive")!.AsSpan<byte>().ToArray(), filtered.Find("positive")!.AsSpan<byte>().ToArray());
        }
        finally
        {
            foreach (var tensor in inputs.Values)
            {
                tensor.Dispose();
            }
        }
    }

    [Fact]
    public void BrokenModelIsRefusedWithTheReason()
    {
        var path = FixtureModels.OnnxPath("broken");

        var error = Assert.Throws<ModelLoadException>(() => OnnxModel.Load(path, Options));

        Assert.Contains("ONNX Runtime cannot load", error.Message);
        Assert.Contains(path, error.Message);
        Assert.NotNull(error.InnerException);
    }

    [Fact]
    public void MissingFileIsRefused()
    {
        var path = Path.Combine(FixtureModels.VersionPath("broken"), "absent.onnx");

        var error = Assert.Throws<ModelLoadException>(() => OnnxModel.Load(path, Options));

        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void ConcurrentPredictionsMatchSequentialOnes()
    {
        using var model = Load("mlp_opset17", 2);
        var inputs = Enumerable.Range(0, 8).Select(i => RandomRows(4, 8, seed: 100 + i)).ToArray();
        var expected = inputs.Select(x => PredictMlp(model, x)).ToArray();
        const int Rounds = 50;

        using var start = new Barrier(inputs.Length);
        var threads = new Thread[inputs.Length];
        var results = new float[inputs.Length][][];
        for (var t = 0; t < threads.Length; t++)
        {
            var index = t;
            threads[t] = new Thread(() =>
            {
                start.SignalAndWait();
                results[index] = Enumerable.Range(0, Rounds).Select(_ => PredictMlp(model, inputs[index])).ToArray();
            });
            threads[t].Start();
        }
        foreach (var thread in threads)
        {
            thread.Join();
        }

        for (var t = 0; t < threads.Length; t++)
        {
            Assert.Equal(Rounds, results[t].Length);
            Assert.All(results[t], r => Assert.Equal(expected[t], r));
        }
    }
}
