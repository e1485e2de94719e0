using RecServe.Import.Onnx.Proto;

namespace RecServe.Import.Onnx;

/// <summary>
/// Lookups over one graph that pattern matching needs: who produces a value, who reads it (a node whose
/// subgraph reads an outer value counts as its reader), which values are constants. A snapshot: rebuild after
/// changing the graph.
/// </summary>
internal sealed class GraphIndex
{
    private readonly Dictionary<string, NodeProto> _producers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<NodeProto>> _consumers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TensorProto> _initializers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ValueInfoProto> _inputs = new(StringComparer.Ordinal);

    public GraphIndex(GraphProto graph)
    {
        Graph = graph;
        foreach (var initializer in graph.Initializer)
        {
            _initializers[initializer.Name] = initializer;
        }
        foreach (var input in graph.Input)
        {
            if (!_initializers.ContainsKey(input.Name))
            {
                _inputs[input.Name] = input;
            }
        }
        foreach (var node in graph.Node)
        {
            foreach (var output in node.Output)
            {
                _producers[output] = node;
            }
            foreach (var name in ValuesRead(node))
            {
                if (!_consumers.TryGetValue(name, out var list))
                {
                    _consumers[name] = list = [];
                }
                if (!list.Contains(node))
                {
                    list.Add(node);
                }
            }
        }
    }

    /// <summary>The indexed graph.</summary>
    public GraphProto Graph { get; }

    /// <summary>The node that produces <paramref name="value"/>, or null for graph inputs, initializers and unknown names.</summary>
    public NodeProto? Producer(string value) => _producers.GetValueOrDefault(value);

    /// <summary>Nodes that read <paramref name="value"/>, directly or from a subgraph.</summary>
    public IReadOnlyList<NodeProto> Consumers(string value) => _consumers.TryGetValue(value, out var list) ? list : [];

    /// <summary>Whether <paramref name="value"/> is one of the graph's outputs.</summary>
    public bool IsGraphOutput(string value) => Graph.Output.Any(o => o.Name == value);

    /// <summary>The initializer named <paramref name="name"/>, or null.</summary>
    public TensorProto? Initializer(string name) => _initializers.GetValueOrDefault(name);

    /// <summary>The graph input (not an initializer) named <paramref name="name"/>, or null.</summary>
    public ValueInfoProto? Input(string name) => _inputs.GetValueOrDefault(name);

    /// <summary>The value of an initializer or Constant node output, or null if <paramref name="value"/> is not constant.</summary>
    public TensorProto? Constant(string value)
    {
        if (_initializers.TryGetValue(value, out var initializer))
        {
            return initializer;
        }
        var node = Producer(value);
        if (node is { OpType: "Constant" })
        {
            return node.Attribute.FirstOrDefault(a => a.Name == "value")?.T;
        }
        return null;
    }

    /// <summary>The integers of a constant int tensor, or null.</summary>
    public long[]? ConstantIntegers(string value) => Constant(value) is { } tensor ? TensorValues.ReadIntegers(tensor) : null;

    /// <summary>
    /// Every value name <paramref name="node"/> reads: its inputs and, for nodes with subgraphs (Loop, If, Scan),
    /// every name their nodes read. Names produced inside the subgraph are included too; that over-approximation
    /// only ever keeps a value alive, never drops one.
    /// </summary>
    public static IEnumerable<string> ValuesRead(NodeProto node)
    {
        foreach (var input in node.Input)
        {
            if (input.Length > 0)
            {
                yield return input;
            }
        }
        foreach (var graph in Subgraphs(node))
        {
            foreach (var inner in graph.Node)
            {
                foreach (var name in ValuesRead(inner))
                {
                    yield return name;
                }
            }
            foreach (var output in graph.Output)
            {
                yield return output.Name;
            }
        }
    }

    /// <summary>The subgraphs held in <paramref name="node"/>'s attributes.</summary>
    public static IEnumerable<GraphProto> Subgraphs(NodeProto node)
    {
        foreach (var attribute in node.Attribute)
        {
            if (attribute.G is { } graph)
            {
                yield return graph;
            }
            foreach (var g in attribute.Graphs)
            {
                yield return g;
            }
        }
    }

    /// <summary>The integer attribute <paramref name="name"/> of <paramref name="node"/>, or <paramref name="fallback"/>.</summary>
    public static long IntAttribute(NodeProto node, string name, long fallback)
    {
        var attribute = node.Attribute.FirstOrDefault(a => a.Name == name);
        return attribute is { HasI: true } ? attribute.I : fallback;
    }

    /// <summary>The integer-list attribute <paramref name="name"/> of <paramref name="node"/>, or null.</summary>
    public static long[]? IntsAttribute(NodeProto node, string name) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } attribute ? [.. attribute.Ints] : null;
}
