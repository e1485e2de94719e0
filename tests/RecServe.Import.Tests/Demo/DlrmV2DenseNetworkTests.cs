using System.Runtime.InteropServices;
using RecServe.Core.Tensors;
using RecServe.Import.Demo;
using RecServe.Import.Onnx.Proto;
using RecServe.Runtime.Onnx;

namespace RecServe.Import.Tests.Demo;

/// <summary>
/// The demo writer's DLRMv2-shaped dense network (bottom MLP, DCNv2 cross layers, top MLP): weights of the promised
/// shapes, and ONNX Runtime's answer equal to the network computed here from those weights.
/// </summary>
public sealed class DlrmV2DenseNetworkTests : IDisposable
{
    private const int Dim = 3;
    private const int Tables = 2;
    private const int Dense = 4;
    private const int Rows = 5;
    private readonly string _scratch = ImportFixtures.TempFolder();

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Theory]
    [InlineData(3)]
    [InlineData(0)]
    public void Cross_network_computes_x0_times_mapped_x_plus_x(int rank)
    {
        var folder = Path.Combine(_scratch, $"rank{rank}", "1");
        DemoModelWriter.Write(folder, new DemoModelOptions
        {
            Rows = 50, Dim = Dim, Tables = Tables, Dense = Dense, Bottom = [5, 2], CrossLayers = 2, CrossRank = rank, Hidden = [4],
        });
        var densePath = Path.Combine(folder, "dense.onnx");
        var weights = ModelProto.Parser.ParseFrom(File.ReadAllBytes(densePath)).Graph.Initializer.ToDictionary(t => t.Name);
        const int width = 2 + Tables * Dim;
        var expectedShapes = new Dictionary<string, long[]>
        {
            ["bw1"] = [Dense, 5], ["bw2"] = [5, 2], ["w1"] = [width, 4], ["w2"] = [4, 1], ["cb1"] = [width], ["cb2"] = [width],
        };
        foreach (var layer in new[] { 1, 2 })
        {
            if (rank > 0)
            {
                expectedShapes[$"cv{layer}"] = [width, rank];
                expectedShapes[$"cu{layer}"] = [rank, width];
            }
            else
            {
                expectedShapes[$"cw{layer}"] = [width, width];
            }
        }
        foreach (var (name, shape) in expectedShapes)
        {
            Assert.True(weights.ContainsKey(name), $"missing weight {name}");
            Assert.Equal(shape, weights[name].Dims);
        }
        Assert.False(weights.ContainsKey(rank > 0 ? "cw1" : "cv1"));

        var random = new Random(7);
        var dense = RandomValues(random, Rows * Dense);
        var pooled = Enumerable.Range(0, Tables).Select(_ => RandomValues(random, Rows * Dim)).ToArray();
        using var model = OnnxModel.Load(densePath, new OnnxModelOptions { IntraOpThreads = 1 });
        var inputs = new Dictionary<string, Tensor> { ["dense"] = Tensor.FromValues<float>(TensorDataType.Float32, [Rows, Dense], dense) };
        for (var t = 0; t < Tables; t++)
        {
            inputs[$"f_{t}.pooled"] = Tensor.FromValues<float>(TensorDataType.Float32, [Rows, Dim], pooled[t]);
        }
        using var outputs = model.Predict(inputs, []);
        var actual = outputs.Find(DenseGraphBuilder.OutputName)!.AsSpan<float>().ToArray();
        foreach (var tensor in inputs.Values)
        {
            tensor.Dispose();
        }

        for (var row = 0; row < Rows; row++)
        {
            var bottom = Relu(Affine(Relu(Affine(dense.AsSpan(row * Dense, Dense).ToArray(), weights["bw1"], weights["bb1"])), weights["bw2"], weights["bb2"]));
            var x0 = bottom.Concat(pooled.SelectMany(p => p.AsSpan(row * Dim, Dim).ToArray()).Select(v => (double)v)).ToArray();
            var x = x0;
            for (var layer = 1; layer <= 2; layer++)
            {
                var mapped = rank > 0
                    ? Affine(Affine(x, weights[$"cv{layer}"], null), weights[$"cu{layer}"], weights[$"cb{layer}"])
                    : Affine(x, weights[$"cw{layer}"], weights[$"cb{layer}"]);
                x = x0.Select((value, i) => value * mapped[i] + x[i]).ToArray();
            }
            var logit = Affine(Relu(Affine(x, weights["w1"], weights["b1"])), weights["w2"], weights["b2"])[0];
            Assert.Equal(1 / (1 + Math.Exp(-logit)), actual[row], 4);
        }
    }

    [Fact]
    public void Bottom_mlp_without_a_dense_input_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            DemoModelWriter.Write(Path.Combine(_scratch, "bad", "1"), new DemoModelOptions { Rows = 10, Dim = 2, Tables = 1, Dense = 0, Bottom = [4] }));
        Assert.Contains("dense input", error.Message);
        Assert.False(Directory.Exists(Path.Combine(_scratch, "bad", "1")));
    }

    private static float[] RandomValues(Random random, int count) => Enumerable.Range(0, count).Select(_ => random.NextSingle() * 2 - 1).ToArray();

    private static double[] Relu(double[] values) => values.Select(v => Math.Max(0, v)).ToArray();

    private static double[] Affine(IReadOnlyList<float> input, TensorProto weight, TensorProto? bias) =>
        Affine(input.Select(v => (double)v).ToArray(), weight, bias);

    /// <summary>input · weight (+ bias), weight stored row-major [in, out] as the graph's MatMul reads it.</summary>
    private static double[] Affine(double[] input, TensorProto weight, TensorProto? bias)
    {
        var w = MemoryMarshal.Cast<byte, float>(weight.RawData.Span);
        var outWidth = (int)weight.Dims[1];
        Assert.Equal(input.Length, (int)weight.Dims[0]);
        var result = new double[outWidth];
        for (var o = 0; o < outWidth; o++)
        {
            var sum = bias is null ? 0.0 : MemoryMarshal.Cast<byte, float>(bias.RawData.Span)[o];
            for (var i = 0; i < input.Length; i++)
            {
                sum += input[i] * w[i * outWidth + o];
            }
            result[o] = sum;
        }
        return result;
    }
}
