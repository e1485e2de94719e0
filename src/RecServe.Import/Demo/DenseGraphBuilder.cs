using System.Runtime.InteropServices;
using Google.Protobuf;
using RecServe.Import.Onnx.Proto;

namespace RecServe.Import.Demo;

/// <summary>
/// Builds the demo bundle's dense network from the proto types: Concat(pooled..., dense), then for each hidden layer
/// MatMul → Add → Relu, then MatMul → Add → Sigmoid, with random weights and a symbolic batch dimension. Layer i's
/// weights are w{i}/b{i} (one hidden layer: w1, b1, w2, b2).
/// </summary>
internal static class DenseGraphBuilder
{
    // Opset 17 and IR version 8: what torch 1.13 writes, so the demo exercises the same runtime paths as imports.
    private const long Opset = 17;
    private const long IrVersion = 8;
    public const string OutputName = "probability";

    public static ModelProto Build(IReadOnlyList<string> pooledInputs, int dim, string? denseInput, int denseWidth, IReadOnlyList<int> hidden, Random random)
    {
        var graph = new GraphProto { Name = "recserve_demo_dense" };
        foreach (var name in pooledInputs)
        {
            graph.Input.Add(FloatValue(name, dim));
        }
        var concatInputs = pooledInputs.ToList();
        if (denseInput is not null)
        {
            graph.Input.Add(FloatValue(denseInput, denseWidth));
            concatInputs.Add(denseInput);
        }
        var width = (long)pooledInputs.Count * dim + (denseInput is null ? 0 : denseWidth);
        var concat = new NodeProto { OpType = "Concat", Name = "concat", Output = { "features" }, Attribute = { new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 } } };
        concat.Input.AddRange(concatInputs);
        graph.Node.Add(concat);

        var previous = "features";
        for (var layer = 1; layer <= hidden.Count; layer++)
        {
            var units = hidden[layer - 1];
            // The first layer keeps the names of the original one-layer network (h_mm, h_pre, h).
            var prefix = layer == 1 ? "h" : $"h{layer}";
            graph.Initializer.Add(RandomWeights($"w{layer}", [width, units], random));
            graph.Initializer.Add(RandomWeights($"b{layer}", [units], random));
            graph.Node.Add(Node("MatMul", previous, $"w{layer}", $"{prefix}_mm"));
            graph.Node.Add(Node("Add", $"{prefix}_mm", $"b{layer}", $"{prefix}_pre"));
            graph.Node.Add(Node("Relu", $"{prefix}_pre", null, prefix));
            previous = prefix;
            width = units;
        }
        var last = hidden.Count + 1;
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
