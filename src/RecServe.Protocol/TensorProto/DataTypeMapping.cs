using RecServe.Core.Errors;
using RecServe.Core.Tensors;
using Tensorflow;

namespace RecServe.Protocol.TensorProto;

/// <summary>Maps TensorFlow's <see cref="DataType"/> to RecServe's <see cref="TensorDataType"/> and back.</summary>
public static class DataTypeMapping
{
    /// <summary>The RecServe type for a TensorFlow dtype; INVALID_ARGUMENT for a dtype RecServe does not serve.</summary>
    public static TensorDataType ToTensorDataType(DataType dtype, string tensorName) =>
        TryToTensorDataType(dtype, out var type)
            ? type
            : throw ServingException.InvalidArgument($"tensor '{tensorName}' has dtype {dtype}, which RecServe does not support");

    /// <summary>The RecServe type for a TensorFlow dtype; false for a dtype RecServe does not serve.</summary>
    public static bool TryToTensorDataType(DataType dtype, out TensorDataType type)
    {
        type = dtype switch
        {
            DataType.DtFloat => TensorDataType.Float32,
            DataType.DtDouble => TensorDataType.Float64,
            DataType.DtHalf => TensorDataType.Float16,
            DataType.DtInt8 => TensorDataType.Int8,
            DataType.DtUint8 => TensorDataType.UInt8,
            DataType.DtInt32 => TensorDataType.Int32,
            DataType.DtInt64 => TensorDataType.Int64,
            DataType.DtBool => TensorDataType.Bool,
            DataType.DtString => TensorDataType.String,
            _ => TensorDataType.Invalid,
        };
        return type != TensorDataType.Invalid;
    }

    /// <summary>The TensorFlow dtype for a RecServe type.</summary>
    public static DataType ToProtoDataType(TensorDataType type) => type switch
    {
        TensorDataType.Float32 => DataType.DtFloat,
        TensorDataType.Float64 => DataType.DtDouble,
        TensorDataType.Float16 => DataType.DtHalf,
        TensorDataType.Int8 => DataType.DtInt8,
        TensorDataType.UInt8 => DataType.DtUint8,
        TensorDataType.Int32 => DataType.DtInt32,
        TensorDataType.Int64 => DataType.DtInt64,
        TensorDataType.Bool => DataType.DtBool,
        TensorDataType.String => DataType.DtString,
        _ => DataType.DtInvalid,
    };
}
