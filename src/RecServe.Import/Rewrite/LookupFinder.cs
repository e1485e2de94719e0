using RecServe.Import.Onnx;
using RecServe.Import.Onnx.Proto;

namespace RecServe.Import.Rewrite;

/// <summary>
/// Finds the embedding lookups PyTorch's exporter writes (see docs/ARCHITECTURE.md, "Import"): a Gather on a
/// large 2-D float initializer whose indices come from a graph input, with the pooling that follows it. Each
/// pattern lives in its own partial file; what is not recognised stays in the graph, with a note saying why.
/// </summary>
internal sealed partial class LookupFinder
{
    private readonly GraphIndex _index;
    private readonly long _minRows;
    private readonly List<EmbeddingLookup> _lookups = [];
    private readonly List<string> _notes = [];

    private LookupFinder(GraphIndex index, long minRows)
    {
        _index = index;
        _minRows = minRows;
    }

    /// <summary>Finds the lookups of <paramref name="graph"/> on initializers of at least <paramref name="minRows"/> rows.</summary>
    public static (IReadOnlyList<EmbeddingLookup> Lookups, IReadOnlyList<string> Notes) Find(GraphProto graph, long minRows)
    {
        var finder = new LookupFinder(new GraphIndex(graph), minRows);
        foreach (var node in graph.Node)
        {
            switch (node.OpType)
            {
                case "Gather":
                    finder.MatchGather(node);
                    break;
                case "Loop":
                    finder.MatchEmbeddingBagLoop(node);
                    break;
            }
        }
        return (finder._lookups, finder._notes);
    }

    /// <summary>The initializer <paramref name="name"/> if it can be a table: 2-D floating point with enough rows.</summary>
    private TensorProto? TableWeight(string name)
    {
        var weight = _index.Initializer(name);
        if (weight is null || weight.Dims.Count != 2 || !TensorValues.IsFloatingPoint(weight.DataType))
        {
            return null;
        }
        if (weight.Dims[0] < _minRows)
        {
            _notes.Add($"'{name}' ({weight.Dims[0]} x {weight.Dims[1]}) stays in the graph: fewer rows than --min-rows {_minRows}");
            return null;
        }
        return weight;
    }

    /// <summary>
    /// The graph input whose ids reach <paramref name="value"/> unchanged or clamped at 0 (torch's
    /// <c>ids.clamp(min=0)</c> exports as Clip(ids, 0) or Max(ids, 0)); null for anything else.
    /// </summary>
    private string? TraceIds(string value, long rows)
    {
        if (_index.Input(value) is { } input)
        {
            return IsIntegerIds(input) ? value : null;
        }
        var node = _index.Producer(value);
        if (node is null)
        {
            return null;
        }
        switch (node.OpType)
        {
            case "Clip" when node.Input.Count >= 2 && IsConstant(node.Input[1], 0)
                && (node.Input.Count < 3 || node.Input[2].Length == 0 || ConstantAtLeast(node.Input[2], rows - 1)):
            case "Max" when node.Input.Count == 2 && IsConstant(node.Input[1], 0):
                return TraceIds(node.Input[0], rows);
            default:
                return null;
        }
    }

    private static bool IsIntegerIds(ValueInfoProto input) =>
        input.Type?.TensorType is { } tensor
        && (TensorProto.Types.DataType)tensor.ElemType is TensorProto.Types.DataType.Int64 or TensorProto.Types.DataType.Int32
        && tensor.Shape is { Dim.Count: 1 or 2 };

    private bool IsConstant(string value, long expected) => _index.ConstantIntegers(value) is [var v] && v == expected;

    private bool ConstantAtLeast(string value, long bound) => _index.ConstantIntegers(value) is [var v] && v >= bound;

    /// <summary>Rank of the ids graph input (1 or 2).</summary>
    private int IdsRank(string idInput) => _index.Input(idInput)!.Type.TensorType.Shape.Dim.Count;

    /// <summary>The single reduce axis of a ReduceSum/ReduceMean node (attribute before opset 13/18, input after), or null.</summary>
    private long? ReduceAxis(NodeProto reduce)
    {
        if (GraphIndex.IntAttribute(reduce, "keepdims", 1) != 0)
        {
            return null;
        }
        var axes = GraphIndex.IntsAttribute(reduce, "axes")
            ?? (reduce.Input.Count >= 2 && reduce.Input[1].Length > 0 ? _index.ConstantIntegers(reduce.Input[1]) : null);
        return axes is [var axis] ? axis : null;
    }

    private bool Claim(string idInput, string weight, string pattern)
    {
        if (_lookups.Any(l => l.IdInput == idInput))
        {
            // One request input can feed one sparse feature; a second lookup of the same ids stays in the graph.
            _notes.Add($"{pattern} of '{weight}' stays in the graph: ids '{idInput}' already feed another table");
            return false;
        }
        return true;
    }
}
