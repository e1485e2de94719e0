using RecServe.Import.Onnx;
using RecServe.Import.Onnx.Proto;

namespace RecServe.Import.Rewrite;

/// <summary>
/// nn.EmbeddingBag (mode sum or mean) called with 2-D ids, as torch 1.13 exports it: a Loop over the bags whose
/// body slices bag i out of Reshape(ids, [-1]), gathers the weight (an outer-scope initializer) and reduces over
/// axis 0. With fixed-width bags that is pooling over the ids' second axis, so the Loop's output is replaced.
/// </summary>
internal sealed partial class LookupFinder
{
    private void MatchEmbeddingBagLoop(NodeProto loop)
    {
        var body = GraphIndex.Subgraphs(loop).FirstOrDefault();
        if (body is null)
        {
            return;
        }
        foreach (var gather in body.Node)
        {
            if (gather.OpType != "Gather" || gather.Input.Count != 2 || _index.Initializer(gather.Input[0]) is null)
            {
                continue;
            }
            var weight = TableWeight(gather.Input[0]);
            if (weight is null)
            {
                return;
            }
            var reason = MatchBagBody(loop, body, gather, out var idInput, out var pooling);
            if (reason is not null)
            {
                _notes.Add($"Loop '{loop.Name}' reading '{weight.Name}' stays in the graph: {reason}");
                return;
            }
            if (Claim(idInput!, weight.Name, "EmbeddingBag"))
            {
                _lookups.Add(new EmbeddingLookup(idInput!, weight.Name, pooling!, loop.Output[0],
                    $"EmbeddingBag(mode={pooling}) → Loop {{ Slice(Reshape(ids, [-1])) → Gather(W) → Reduce{(pooling == "sum" ? "Sum" : "Mean")}(axis 0) }}",
                    PaddingMasked: false));
            }
            return;
        }
    }

    /// <summary>Null if the loop is an EmbeddingBag over 2-D ids; otherwise why not.</summary>
    private string? MatchBagBody(NodeProto loop, GraphProto body, NodeProto gather, out string? idInput, out string? pooling)
    {
        idInput = null;
        pooling = null;
        if (loop.Output.Count != 1 || body.Output.Count != 2)
        {
            return "the loop carries state besides the pooled bags";
        }
        var bodyProducers = body.Node.SelectMany(n => n.Output.Select(o => (o, n))).ToDictionary(p => p.o, p => p.n, StringComparer.Ordinal);
        var reduce = bodyProducers.GetValueOrDefault(body.Output[1].Name);
        if (reduce is null || reduce.Input[0] != gather.Output[0])
        {
            return "its output is not a reduce of the lookup";
        }
        var axes = GraphIndex.IntsAttribute(reduce, "axes")
            ?? (reduce.Input.Count >= 2 && bodyProducers.GetValueOrDefault(reduce.Input[1]) is { OpType: "Constant" } constant
                ? TensorValues.ReadIntegers(constant.Attribute.First(a => a.Name == "value").T)
                : null);
        if (axes is not [0] || GraphIndex.IntAttribute(reduce, "keepdims", 1) != 0)
        {
            return "the reduce is not over the bag";
        }
        pooling = reduce.OpType switch { "ReduceSum" => "sum", "ReduceMean" => "mean", _ => null };
        if (pooling is null)
        {
            return $"{reduce.OpType} pooling (EmbeddingBag mode=max) has no bundle equivalent";
        }
        // The bag's ids: a Slice of the flattened ids, which must be a 2-D graph input (fixed-width bags). The
        // 1-D ids + offsets form slices the ids input itself and is left alone: bundles take lengths, not offsets.
        if (bodyProducers.GetValueOrDefault(gather.Input[1]) is not { OpType: "Slice" } slice
            || _index.Producer(slice.Input[0]) is not { OpType: "Reshape" } reshape
            || _index.ConstantIntegers(reshape.Input[1]) is not [-1]
            || _index.Input(reshape.Input[0]) is not { } ids
            || !IsIntegerIds(ids) || ids.Type.TensorType.Shape.Dim.Count != 2)
        {
            return "its ids are not a 2-D graph input (EmbeddingBag with offsets is not rewritten: bundles take lengths, not offsets)";
        }
        idInput = ids.Name;
        return null;
    }
}
