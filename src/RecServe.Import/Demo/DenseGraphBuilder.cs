using System.Runtime.InteropServices;
using Google.Protobuf;
using RecServe.Import.Onnx.Proto;

namespace RecServe.Import.Demo;

/// <summary>
/// Builds the demo bundle's dense network from the proto types, with random weights and a symbolic batch dimension:
/// <list type="number">
/// <item>optionally a bottom MLP over the dense input (MatMul → Add → Relu per layer; weights bw{i}/bb{i});</item>
/// <item>Concat of the bottom MLP's output (or the raw dense input) and the pooled features;</item>
/// <item>optionally DCNv2 cross layers, x_{l+1} = x_0 ⊙ (W_l x_l + b_l) + x_l, with W_l = U_l V_l of a given rank
///   (weights cv{l}, cu{l}, cb{l}) or full rank (cw{l}, cb{l});</item>
/// <item>the top MLP (MatMul → Add → Relu per hidden layer, weights w{i}/b{i}), then MatMul → Add → Sigmoid.</item>
/// </list>
/// With no bottom MLP and no cross layers the graph and its weight names are those of the original demo network
/// (one hidden layer: w1, b1, w2, b2), so bundles written before stay byte-identical for the same seed.
/// </summary>
internal static class DenseGraphBuilder
{
    // Opset 17 and IR version 8: what torch 1.13 writes, so the demo exercises the same runtime paths as imports.
    private const long Opset = 17;
    private const long IrVersion = 8;
    public const string OutputName = "probability";
    private const string Features = "features";

    public static ModelProto Build(IReadOnlyList<string> pooledInputs, string? denseInput, DemoModelOptions options, Random random)
    {
        var graph = new GraphProto { Name = "recserve_demo_dense" };
        foreach (var name in pooledInputs)
        {
            graph.Input.Add(FloatValue(name, options.Dim));
        }
        var concat = new NodeProto { OpType = "Concat", Name = "concat", Output = { Features }, Attribute = { new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 } } };
        var width = (long)pooledInputs.Count * options.Dim;
        if (denseInput is not null)
        {
            graph.Input.Add(FloatValue(denseInput, options.Dense));
        }
        if (denseInput is not null && options.Bottom.Count > 0)
        {
            // DLRM puts the dense path's output first in the interaction's input; so does this graph.
            var (bottom, bottomWidth) = AddMlp(graph, denseInput, options.Dense, options.Bottom, layer => ($"bw{layer}", $"bb{layer}", $"bottom{layer}"), random);
            concat.Input.Add(bottom);
            width += bottomWidth;
        }
        concat.Input.AddRange(pooledInputs);
        if (denseInput is not null && options.Bottom.Count == 0)
        {
            // Without a bottom MLP the raw dense input comes last, as in the original demo network.
            concat.Input.Add(denseInput);
            width += options.Dense;
        }
        graph.Node.Add(concat);

        var previous = AddCrossLayers(graph, width, options.CrossLayers, options.CrossRank, random);
        // The first top layer keeps the names of the original one-layer network (h_mm, h_pre, h).
        (previous, width) = AddMlp(graph, previous, width, options.Hidden, layer => ($"w{layer}", $"b{layer}", layer == 1 ? "h" : $"h{layer}"), random);

        var last = options.Hidden.Count + 1;
        graph.Initializer.Add(RandomWeights($"w{last}", [width, 1], random));
        graph.Initializer.Add(RandomWeights($"b{last}", [1], random));
        graph.Node.Add(Node("MatMul", previous, $"w{last}", "logit_mm"));
        graph.Node.Add(Node("Add", "logit_mm", $"b{last}", "logit"));
        graph.Node.Add(Node("Sigmoid", "logit", null, OutputName));
        graph.Output.Add(FloatValue(OutputName, 1));

        return new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "recserve demo-model",
            Graph = graph,
            OpsetImport = { new OperatorSetIdProto { Domain = "", Version = Opset } },
        };
    }

    /// <summary>MatMul → Add → Relu per layer; <paramref name="names"/> gives layer i's weight, bias and output names.</summary>
    private static (string Output, long Width) AddMlp(
        GraphProto graph, string input, long width, IReadOnlyList<int> layers, Func<int, (string Weight, string Bias, string Output)> names, Random random)
    {
        var previous = input;
        for (var layer = 1; layer <= layers.Count; layer++)
        {
            var units = layers[layer - 1];
            var (weight, bias, output) = names(layer);
            graph.Initializer.Add(RandomWeights(weight, [width, units], random));
            graph.Initializer.Add(RandomWeights(bias, [units], random));
            graph.Node.Add(Node("MatMul", previous, weight, $"{output}_mm"));
            graph.Node.Add(Node("Add", $"{output}_mm", bias, $"{output}_pre"));
            graph.Node.Add(Node("Relu", $"{output}_pre", null, output));
            previous = output;
            width = units;
        }
        return (previous, width);
    }

    /// <summary>
    /// DCNv2 cross layers over the concatenated features (x_0): each multiplies x_0 elementwise by a linear map of
    /// the previous layer's output and adds that output back, so the width stays that of x_0. A rank above 0 factors
    /// the map through that many units (the "low-rank" cross network MLPerf's DLRMv2 uses, rank 512).
    /// </summary>
    private static string AddCrossLayers(GraphProto graph, long width, int layers, int rank, Random random)
    {
        var previous = Features;
        for (var layer = 1; layer <= layers; layer++)
        {
            var mapped = $"cross{layer}_map";
            if (rank > 0)
            {
                graph.Initializer.Add(RandomWeights($"cv{layer}", [width, rank], random));
                graph.Initializer.Add(RandomWeights($"cu{layer}", [rank, width], random));
                graph.Node.Add(Node("MatMul", previous, $"cv{layer}", $"cross{layer}_low"));
                graph.Node.Add(Node("MatMul", $"cross{layer}_low", $"cu{layer}", mapped));
            }
            else
            {
                graph.Initializer.Add(RandomWeights($"cw{layer}", [width, width], random));
                graph.Node.Add(Node("MatMul", previous, $"cw{layer}", mapped));
            }
            graph.Initializer.Add(RandomWeights($"cb{layer}", [width], random));
            graph.Node.Add(Node("Add", mapped, $"cb{layer}", $"cross{layer}_pre"));
            graph.Node.Add(Node("Mul", Features, $"cross{layer}_pre", $"cross{layer}_mul"));
            graph.Node.Add(Node("Add", $"cross{layer}_mul", previous, $"cross{layer}"));
            previous = $"cross{layer}";
        }
        return previous;
    }

    private static NodeProto Node(string op, string a, string? b, string output)
    {
        var node = new NodeProto { OpType = op, Name = output, Input = { a }, Output = { output } };
        if (b is not null)
        {
            node.Input.Add(b);
        }
        return node;
    }

    private static ValueInfoProto FloatValue(string name, long width) => new()
    {
        Name = name,
        Type = new TypeProto
        {
            TensorType = new TypeProto.Types.Tensor
            {
                ElemType = (int)TensorProto.Types.DataType.Float,
                Shape = new TensorShapeProto { Dim = { new TensorShapeProto.Types.Dimension { DimParam = "batch" }, new TensorShapeProto.Types.Dimension { DimValue = width } } },
            },
        },
    };

    /// <summary>Uniform weights scaled by 1/sqrt(fan-in), so activations neither vanish nor saturate the sigmoid.</summary>
    private static TensorProto RandomWeights(string name, long[] dims, Random random)
    {
        var count = (int)dims.Aggregate(1L, (a, b) => a * b);
        var scale = 1 / MathF.Sqrt(dims[0]);
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = (random.NextSingle() * 2 - 1) * scale;
        }
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())) };
        tensor.Dims.AddRange(dims);
        return tensor;
    }
}
