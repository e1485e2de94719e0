namespace RecServe.Core.Tensors;

/// <summary>Element types RecServe can carry in a request or response.</summary>
public enum TensorDataType
{
    /// <summary>No valid type; never appears in a valid tensor.</summary>
    Invalid = 0,
    /// <summary>IEEE 754 binary32.</summary>
    Float32,
    /// <summary>IEEE 754 binary64.</summary>
    Float64,
    /// <summary>IEEE 754 binary16.</summary>
    Float16,
    /// <summary>Signed 8-bit integer.</summary>
    Int8,
    /// <summary>Unsigned 8-bit integer.</summary>
    UInt8,
    /// <summary>Signed 32-bit integer.</summary>
    Int32,
    /// <summary>Signed 64-bit integer.</summary>
    Int64,
    /// <summary>One byte per value, 0 or 1.</summary>
    Bool,
    /// <summary>A byte string per value (not necessarily UTF-8).</summary>
    String,
}

/// <summary>Facts about <see cref="TensorDataType"/> values.</summary>
public static class TensorDataTypes
{
    /// <summary>Bytes per element of a fixed-size type; 0 for <see cref="TensorDataType.String"/>.</summary>
    public static int ElementSize(this TensorDataType type) => type switch
    {
        TensorDataType.Float32 => 4,
        TensorDataType.Float64 => 8,
        TensorDataType.Float16 => 2,
        TensorDataType.Int8 => 1,
        TensorDataType.UInt8 => 1,
        TensorDataType.Int32 => 4,
        TensorDataType.Int64 => 8,
        TensorDataType.Bool => 1,
        _ => 0,
    };

    /// <summary>The lower-case name used in manifests, messages and metadata.</summary>
    public static string DisplayName(this TensorDataType type) => type switch
    {
        TensorDataType.Float32 => "float32",
        TensorDataType.Float64 => "float64",
        TensorDataType.Float16 => "float16",
        TensorDataType.Int8 => "int8",
        TensorDataType.UInt8 => "uint8",
        TensorDataType.Int32 => "int32",
        TensorDataType.Int64 => "int64",
        TensorDataType.Bool => "bool",
        TensorDataType.String => "string",
        _ => "invalid",
    };

    /// <summary>Parses a <see cref="DisplayName"/> ("float32", "int64", ...); false for anything else.</summary>
    public static bool TryParseDisplayName(string? name, out TensorDataType type)
    {
        type = name switch
        {
            "float32" => TensorDataType.Float32,
            "float64" => TensorDataType.Float64,
            "float16" => TensorDataType.Float16,
            "int8" => TensorDataType.Int8,
            "uint8" => TensorDataType.UInt8,
            "int32" => TensorDataType.Int32,
            "int64" => TensorDataType.Int64,
            "bool" => TensorDataType.Bool,
            "string" => TensorDataType.String,
            _ => TensorDataType.Invalid,
        };
        return type != TensorDataType.Invalid;
    }
}
