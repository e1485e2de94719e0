using RecServe.Core.Tensors;

namespace RecServe.Embeddings.Tables;

/// <summary>The short data type names table metadata uses ("fp32", "fp16", "int8").</summary>
internal static class DataTypeNames
{
    public static string ToName(TensorDataType dataType) => dataType switch
    {
        TensorDataType.Float32 => "fp32",
        TensorDataType.Float16 => "fp16",
        TensorDataType.Int8 => "int8",
        _ => throw new ArgumentException($"rows cannot be stored as {dataType.DisplayName()}", nameof(dataType)),
    };

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
