using RecServe.Core.Tensors;

namespace RecServe.Embeddings.Tables;

/// <summary>
/// The short names of row storage types ("fp32", "fp16", "int8") that table metadata, bundle manifests, delta
/// messages and the CLI use: the one mapping between them and <see cref="TensorDataType"/>.
/// </summary>
public static class DataTypeNames
{
    /// <summary>The short name of a row storage type.</summary>
    /// <exception cref="ArgumentException">Rows cannot be stored as <paramref name="dataType"/>.</exception>
    public static string ToName(TensorDataType dataType) => dataType switch
    {
        TensorDataType.Float32 => "fp32",
        TensorDataType.Float16 => "fp16",
        TensorDataType.Int8 => "int8",
        _ => throw new ArgumentException($"rows cannot be stored as {dataType.DisplayName()}", nameof(dataType)),
    };

    /// <summary>Parses a short name; false for anything but "fp32", "fp16" and "int8".</summary>
    public static bool TryParse(string name, out TensorDataType dataType)
    {
        dataType = name switch
        {
            "fp32" => TensorDataType.Float32,
            "fp16" => TensorDataType.Float16,
            "int8" => TensorDataType.Int8,
            _ => TensorDataType.Invalid,
        };
        return dataType != TensorDataType.Invalid;
    }
}
