using RecServe.Core.Tensors;

namespace RecServe.Import;

/// <summary>The manifest's row storage names ("fp32", "fp16", "int8") and the data types they stand for.</summary>
public static class TableDtypes
{
    /// <summary>The manifest name of a row storage type.</summary>
    public static string ToName(TensorDataType dataType) => dataType switch
    {
        TensorDataType.Float32 => "fp32",
        TensorDataType.Float16 => "fp16",
        TensorDataType.Int8 => "int8",
        _ => throw new ArgumentOutOfRangeException(nameof(dataType), $"rows cannot be stored as {dataType.DisplayName()}"),
    };

    /// <summary>Parses "fp32", "fp16" or "int8"; throws <see cref="ArgumentException"/> for anything else.</summary>
    public static TensorDataType Parse(string name) => name switch
    {
        "fp32" => TensorDataType.Float32,
        "fp16" => TensorDataType.Float16,
        "int8" => TensorDataType.Int8,
        _ => throw new ArgumentException($"--dtype is '{name}', expected fp32, fp16 or int8"),
    };
}
