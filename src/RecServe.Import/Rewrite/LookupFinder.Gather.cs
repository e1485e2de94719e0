using RecServe.Import.Onnx;
using RecServe.Import.Onnx.Proto;

namespace RecServe.Import.Rewrite;

/// <summary>nn.Embedding: Gather(W, ids), then optionally a reduce over the bag axis, optionally masked.</summary>
internal sealed partial class LookupFinder
{
    private void MatchGather(NodeProto gather)
    {
        if (GraphIndex.IntAttribute(gather, "axis", 0) != 0 || gather.Input.Count != 2)
        {
            return;
        }
        var weight = TableWeight(gather.Input[0]);
        if (weight is null)
        {
            return;
        }
        var idInput = TraceIds(gather.Input[1], weight.Dims[0]);
        if (idInput is null)
        {
            // Constant or computed indices: not a per-request lookup.
            return;
        }
        var embedded = gather.Output[0];
        if (IdsRank(idInput) == 1)
        {
            // One id per row: the lookup is [batch, dim] already, which is what sum pooling of one id gives.
            if (Claim(idInput, weight.Name, "Gather"))
            {
                _lookups.Add(new EmbeddingLookup(idInput, weight.Name, "sum", embedded, "Gather(W, ids[batch])", PaddingMasked: false));
            }
            return;
        }
        var consumers = _index.Consumers(embedded);
        if (!_index.IsGraphOutput(embedded) && consumers is [var next])
        {
            if (MatchReduce(next) is { } pooling)
            {
                if (Claim(idInput, weight.Name, "Gather"))
                {
                    _lookups.Add(new EmbeddingLookup(idInput, weight.Name, pooling, next.Output[0], $"Gather → {next.OpType}(axis 1)", PaddingMasked: false));
                }
                return;
            }
            if (MatchMaskedSum(next, embedded, idInput) is { } reduce)
            {
                if (Claim(idInput, weight.Name, "Gather"))
                {
                    _lookups.Add(new EmbeddingLookup(idInput, weight.Name, "sum", reduce.Output[0],
                        "Gather(W, Clip(ids, 0)) → Mul(mask ids >= 0) → ReduceSum(axis 1)", PaddingMasked: true));
                }
                return;
            }
        }
        if (Claim(idInput, weight.Name, "Gather"))
        {
            // Whatever follows stays in the graph and receives [batch, L, dim], as the Gather produced.
            _lookups.Add(new EmbeddingLookup(idInput, weight.Name, "none", embedded, "Gather(W, ids[batch, L]) → other ops", PaddingMasked: false));
        }
    }

    /// <summary>"sum" or "mean" if <paramref name="node"/> reduces a [batch, L, dim] lookup over L without keeping the axis.</summary>
    private string? MatchReduce(NodeProto node)
    {
        if (node.OpType is not ("ReduceSum" or "ReduceMean"))
        {
            return null;
        }
        return ReduceAxis(node) is 1 or -2 ? (node.OpType == "ReduceSum" ? "sum" : "mean") : null;
    }

    /// <summary>
    /// The ReduceSum of <c>(emb(ids.clamp(min=0)) * (ids >= 0).unsqueeze(-1).float()).sum(1)</c>: a Mul of the lookup
    /// by a padding mask of the same ids, summed over the bag axis. That is sum pooling that skips negative ids,
    /// which is what the bundle does with padding, so the mask's nodes become dead.
    /// </summary>
    private NodeProto? MatchMaskedSum(NodeProto mul, string embedded, string idInput)
    {
        if (mul.OpType != "Mul" || mul.Input.Count != 2 || _index.IsGraphOutput(mul.Output[0]))
        {
            return null;
        }
        var mask = mul.Input[0] == embedded ? mul.Input[1] : mul.Input[0];
        if (!IsPaddingMask(mask, idInput) || _index.Consumers(mul.Output[0]) is not [var reduce])
        {
            return null;
        }
        return MatchReduce(reduce) == "sum" ? reduce : null;
    }

    /// <summary>Whether <paramref name="value"/> is float(ids >= 0) (or ids > -1), unsqueezed on its last axis.</summary>
    private bool IsPaddingMask(string value, string idInput)
    {
        var unsqueezed = false;
        while (_index.Producer(value) is { } node)
        {
            switch (node.OpType)
            {
                case "Cast":
                    value = node.Input[0];
                    continue;
                case "Unsqueeze" when !unsqueezed && UnsqueezesLastAxis(node):
                    unsqueezed = true;
                    value = node.Input[0];
                    continue;
                case "GreaterOrEqual":
                    return unsqueezed && node.Input[0] == idInput && IsConstant(node.Input[1], 0);
                case "Greater":
                    return unsqueezed && node.Input[0] == idInput && IsConstant(node.Input[1], -1);
                default:
                    return false;
            }
        }
        return false;
    }

    private bool UnsqueezesLastAxis(NodeProto unsqueeze)
    {
        var axes = GraphIndex.IntsAttribute(unsqueeze, "axes")
            ?? (unsqueeze.Input.Count >= 2 ? _index.ConstantIntegers(unsqueeze.Input[1]) : null);
        return axes is [-1 or 2];
    }
}
