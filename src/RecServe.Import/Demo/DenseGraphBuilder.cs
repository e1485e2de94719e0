using System.Runtime.InteropServices;
using Google.Protobuf;
using RecServe.Import.Onnx.Proto;

namespace RecServe.Import.Demo;

/// <summary>
/// Builds the demo bundle's dense network from the proto types: Concat(pooled..., dense) → MatMul → Add → Relu →
/// MatMul → Add → Sigmoid, with random weights and a symbolic batch dimension.
/// </summary>
internal static class DenseGraphBuilder
{
    // Opset 17 and IR version 8: what torch 1.13 writes, so the demo exercises the same runtime paths as imports.
    private const long Opset = 17;
    private const long IrVersion = 8;
    public const string OutputName = "probability";

    public static ModelProto Build(IReadOnlyList<string> pooledInputs, int dim, string? denseInput, int denseWidth, int hidden, Random random)
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
        var width = pooledInputs.Count * dim + (denseInput is null ? 0 : denseWidth);
        graph.Initializer.Add(RandomWeights("w1", [width, hidden], random));
        graph.Initializer.Add(RandomWeights("b1", [hidden], random));
        graph.Initializer.Add(RandomWeights("w2", [hidden, 1], random));
        graph.Initializer.Add(RandomWeights("b2", [1], random));

        var concat = new NodeProto { OpType = "Concat", Name = "concat", Output = { "features" }, Attribute = { new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 } } };
        concat.Input.AddRange(concatInputs);
        graph.Node.Add(concat);
        graph.Node.Add(Node("MatMul", "features", "w1", "h_mm"));
        graph.Node.Add(Node("Add", "h_mm", "b1", "h_pre"));
        graph.Node.Add(Node("Relu", "h_pre", null, "h"));
        graph.Node.Add(Node("MatMul", "h", "w2", "logit_mm"));
        graph.Node.Add(Node("Add", "logit_mm", "b2", "logit"));
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
