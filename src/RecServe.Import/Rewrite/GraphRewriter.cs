using RecServe.Import.Onnx;
using RecServe.Import.Onnx.Proto;

namespace RecServe.Import.Rewrite;

/// <summary>
/// Rewrites a graph so that each lookup's result arrives as a new graph input: readers of the replaced value read
/// the input instead, then everything only the lookups needed (Gathers, reduces, masks, weights, id inputs no
/// longer read) is removed.
/// </summary>
internal static class GraphRewriter
{
    /// <summary>Input name suffix for pooled ([batch, dim]) embeddings.</summary>
    public const string PooledSuffix = ".pooled";

    /// <summary>Input name suffix for unpooled ([batch, L, dim]) embeddings.</summary>
    public const string EmbeddingsSuffix = ".embeddings";

    /// <summary>
    /// Rewrites <paramref name="graph"/> in place. <paramref name="defaultMaxIdsPerRow"/> bounds bags whose id input
    /// has a symbolic second dimension.
    /// </summary>
    public static List<RewrittenFeature> Rewrite(GraphProto graph, IReadOnlyList<EmbeddingLookup> lookups, int defaultMaxIdsPerRow)
    {
        var index = new GraphIndex(graph);
        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            taken.UnionWith(node.Output);
        }
        taken.UnionWith(graph.Input.Select(i => i.Name));
        taken.UnionWith(graph.Initializer.Select(i => i.Name));

        var pending = new List<(EmbeddingLookup Lookup, string Input, int Dim, long Rows, int MaxIds)>();
        foreach (var lookup in lookups)
        {
            var ids = index.Input(lookup.IdInput)!;
            var weight = index.Initializer(lookup.Weight)!;
            var idDims = ids.Type.TensorType.Shape.Dim;
            var dim = checked((int)weight.Dims[1]);
            var name = UniqueName(lookup.IdInput + (lookup.Pooling == "none" ? EmbeddingsSuffix : PooledSuffix), taken);
            var shape = new TensorShapeProto();
            shape.Dim.Add(idDims[0].Clone());
            if (lookup.Pooling == "none")
            {
                shape.Dim.Add(idDims[1].Clone());
            }
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = dim });
            graph.Input.Add(new ValueInfoProto
            {
                Name = name,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
            });
            ReplaceUses(graph, lookup.ReplacedValue, name, taken);
            var maxIds = idDims.Count == 1 ? 1 : idDims[1].HasDimValue && idDims[1].DimValue > 0 ? checked((int)idDims[1].DimValue) : defaultMaxIdsPerRow;
            pending.Add((lookup, name, dim, weight.Dims[0], maxIds));
        }

        DeadNodeRemover.Prune(graph, lookups.Select(l => l.IdInput).ToHashSet(StringComparer.Ordinal));
        var stillRead = graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        return pending.Select(p => new RewrittenFeature(p.Lookup, p.Input, p.Dim, p.Rows, p.MaxIds, stillRead.Contains(p.Lookup.IdInput))).ToList();
    }

    /// <summary>Makes readers of <paramref name="from"/> (in subgraphs too) read <paramref name="to"/>.</summary>
    private static void ReplaceUses(GraphProto graph, string from, string to, HashSet<string> taken)
    {
        RenameInputs(graph, from, to);
        if (graph.Output.Any(o => o.Name == from))
        {
            // A graph output keeps its name (clients ask for it), so it becomes a copy of the new input, and the
            // old producer's output is renamed out of the way to die with the rest of the lookup.
            var producer = graph.Node.First(n => n.Output.Contains(from));
            producer.Output[producer.Output.IndexOf(from)] = UniqueName(from + "/replaced", taken);
            graph.Node.Insert(0, new NodeProto { OpType = "Identity", Name = $"{from}/recserve_import", Input = { to }, Output = { from } });
        }
    }

    private static void RenameInputs(GraphProto graph, string from, string to)
    {
        foreach (var node in graph.Node)
        {
            for (var i = 0; i < node.Input.Count; i++)
            {
                if (node.Input[i] == from)
                {
                    node.Input[i] = to;
                }
            }
            foreach (var subgraph in GraphIndex.Subgraphs(node))
            {
                RenameInputs(subgraph, from, to);
            }
        }
    }

    private static string UniqueName(string wanted, HashSet<string> taken)
    {
        var name = wanted;
        for (var i = 1; !taken.Add(name); i++)
        {
            name = $"{wanted}_{i}";
        }
        return name;
    }
}
