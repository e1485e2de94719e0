using RecServe.Core.Signatures;
using RecServe.Core.Tensors;

namespace RecServe.Cli.Bench.Targets;

/// <summary>KServe v2 datatype names ("FP32", "INT64", ...) and signatures built from v2 model metadata.</summary>
internal static class KServeDataTypes
{
    /// <summary>The v2 name of <paramref name="type"/>.</summary>
    public static string Name(TensorDataType type) => type switch
    {
        TensorDataType.Float32 => "FP32",
        TensorDataType.Float64 => "FP64",
        TensorDataType.Float16 => "FP16",
        TensorDataType.Int8 => "INT8",
        TensorDataType.UInt8 => "UINT8",
        TensorDataType.Int32 => "INT32",
        TensorDataType.Int64 => "INT64",
        TensorDataType.Bool => "BOOL",
        TensorDataType.String => "BYTES",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "no KServe v2 datatype"),
    };

    /// <summary>The tensor type of a v2 datatype name; throws for one bench cannot generate or send.</summary>
    public static TensorDataType Parse(string name, string tensor) => name switch
    {
        "FP32" => TensorDataType.Float32,
        "FP64" => TensorDataType.Float64,
        "FP16" => TensorDataType.Float16,
        "INT8" => TensorDataType.Int8,
        "UINT8" => TensorDataType.UInt8,
        "INT32" => TensorDataType.Int32,
        "INT64" => TensorDataType.Int64,
        "BOOL" => TensorDataType.Bool,
        "BYTES" => TensorDataType.String,
        _ => throw new InvalidOperationException($"tensor '{tensor}' has datatype {name}, which bench does not support"),
    };

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
