using RecServe.Import.Onnx;
using RecServe.Import.Onnx.Proto;

namespace RecServe.Import.Rewrite;

/// <summary>Removes what no graph output depends on any more: nodes, initializers, shape annotations, and given inputs.</summary>
internal static class DeadNodeRemover
{
    /// <summary>
    /// Prunes <paramref name="graph"/> in place. Graph inputs are kept (a model's signature is not ours to change)
    /// except those in <paramref name="removableInputs"/>, which go when nothing reads them.
    /// </summary>
    public static void Prune(GraphProto graph, IReadOnlySet<string> removableInputs)
    {
        var live = new HashSet<string>(graph.Output.Select(o => o.Name), StringComparer.Ordinal);
        var keep = new bool[graph.Node.Count];
        // Nodes are in topological order, so one backward pass sees every reader before its producer.
        for (var i = graph.Node.Count - 1; i >= 0; i--)
        {
            var node = graph.Node[i];
            if (node.Output.Any(live.Contains))
            {
                keep[i] = true;
                live.UnionWith(GraphIndex.ValuesRead(node));
            }
        }
        var produced = new HashSet<string>(StringComparer.Ordinal);
        var nodes = graph.Node.Where((_, i) => keep[i]).ToList();
        foreach (var node in nodes)
        {
            produced.UnionWith(node.Output);
        }
        Replace(graph.Node, nodes);
        // Before IR version 4 initializers were also listed as inputs; a removed initializer takes its input along.
        var initializers = new HashSet<string>(graph.Initializer.Select(t => t.Name), StringComparer.Ordinal);
        Replace(graph.Initializer, graph.Initializer.Where(t => live.Contains(t.Name)).ToList());
        Replace(graph.Input, graph.Input.Where(i => live.Contains(i.Name) || !removableInputs.Contains(i.Name) && !initializers.Contains(i.Name)).ToList());
        Replace(graph.ValueInfo, graph.ValueInfo.Where(v => produced.Contains(v.Name)).ToList());
    }

    private static void Replace<T>(Google.Protobuf.Collections.RepeatedField<T> field, List<T> items)
    {
        field.Clear();
        field.AddRange(items);
    }
}
