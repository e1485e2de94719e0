using RecServe.Core.Signatures;
using RecServe.Protocol.TensorProto;
using Tensorflow;
using Tensorflow.Serving;

namespace RecServe.Cli.Bench.Targets;

/// <summary>Turns TF-Serving's model metadata (a <c>SignatureDefMap</c>) into a <see cref="ModelSignature"/>.</summary>
internal static class SignatureDefReader
{
    /// <summary>The <c>serving_default</c> signature of <paramref name="map"/> (or its only one).</summary>
    public static ModelSignature Read(SignatureDefMap map, string model)
    {
        if (!map.SignatureDef.TryGetValue(ModelSignature.DefaultName, out var def))
        {
            if (map.SignatureDef.Count != 1)
            {
                throw new InvalidOperationException(
                    $"model '{model}' has no {ModelSignature.DefaultName} signature; it has: {string.Join(", ", map.SignatureDef.Keys)}");
            }
            def = map.SignatureDef.Values.First();
        }
        return new ModelSignature(Specs(def.Inputs), Specs(def.Outputs));
    }

    private static List<TensorSpec> Specs(IDictionary<string, TensorInfo> infos)
    {
        var specs = new List<TensorSpec>(infos.Count);
        foreach (var (name, info) in infos)
        {
            // Requests name tensors by the map key (the alias), not by TensorInfo.name (the graph's tensor).
            var type = DataTypeMapping.ToTensorDataType(info.Dtype, name);
            long[]? shape = null;
            if (info.TensorShape is { UnknownRank: false } proto)
            {
                shape = new long[proto.Dim.Count];
                for (var i = 0; i < shape.Length; i++)
                {
                    shape[i] = proto.Dim[i].Size < 0 ? -1 : proto.Dim[i].Size;
                }
            }
            specs.Add(new TensorSpec(name, type, shape));
        }
        return specs;
    }
}
