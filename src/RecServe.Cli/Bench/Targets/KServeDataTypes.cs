using RecServe.Core.Errors;
using RecServe.Core.Signatures;
using RecServe.Core.Tensors;
using RecServe.Protocol.KServe;

namespace RecServe.Cli.Bench.Targets;

/// <summary>KServe v2 datatype names ("FP32", "INT64", ...) and signatures built from v2 model metadata.</summary>
internal static class KServeDataTypes
{
    /// <summary>The v2 name of <paramref name="type"/> (the server's own mapping).</summary>
    public static string Name(TensorDataType type) => KServeDataType.Name(type);

    /// <summary>The tensor type of a v2 datatype name; throws for one bench cannot generate or send.</summary>
    public static TensorDataType Parse(string name, string tensor)
    {
        try
        {
            return KServeDataType.Parse(name, tensor);
        }
        catch (ServingException e)
        {
            // Bench reports a setup error, not a client error of its own.
            throw new InvalidOperationException($"tensor '{tensor}' has datatype {name}, which bench does not support: {e.Message}", e);
        }
    }

    /// <summary>One tensor of v2 model metadata.</summary>
    public readonly record struct TensorMetadata(string Name, string Datatype, long[] Shape);

    /// <summary>A signature from v2 metadata inputs and outputs (a -1 dimension is dynamic in both worlds).</summary>
    public static ModelSignature Signature(IEnumerable<TensorMetadata> inputs, IEnumerable<TensorMetadata> outputs) =>
        new(Specs(inputs), Specs(outputs));

    private static List<TensorSpec> Specs(IEnumerable<TensorMetadata> tensors)
    {
        var specs = new List<TensorSpec>();
        foreach (var tensor in tensors)
        {
            specs.Add(new TensorSpec(tensor.Name, Parse(tensor.Datatype, tensor.Name), tensor.Shape));
        }
        return specs;
    }
}
