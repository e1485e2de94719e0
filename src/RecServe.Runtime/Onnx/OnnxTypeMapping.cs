using Microsoft.ML.OnnxRuntime.Tensors;
using RecServe.Core.Tensors;

namespace RecServe.Runtime.Onnx;

/// <summary>Maps ONNX Runtime element types to <see cref="TensorDataType"/> and back.</summary>
public static class OnnxTypeMapping
{
    /// <summary>The RecServe type for an ONNX element type, or <see cref="TensorDataType.Invalid"/>.</summary>
    public static TensorDataType ToTensorDataType(TensorElementType type) => type switch
    {
        TensorElementType.Float => TensorDataType.Float32,
        TensorElementType.Double => TensorDataType.Float64,
        TensorElementType.Float16 => TensorDataType.Float16,
        TensorElementType.Int8 => TensorDataType.Int8,
        TensorElementType.UInt8 => TensorDataType.UInt8,
        TensorElementType.Int32 => TensorDataType.Int32,
        TensorElementType.Int64 => TensorDataType.Int64,
        TensorElementType.Bool => TensorDataType.Bool,
        TensorElementType.String => TensorDataType.String,
        _ => TensorDataType.Invalid,
    };

    /// <summary>The ONNX element type for a RecServe type.</summary>
    public static TensorElementType ToElementType(TensorDataType type) => type switch
    {
        TensorDataType.Float32 => TensorElementType.Float,
        TensorDataType.Float64 => TensorElementType.Double,
        TensorDataType.Float16 => TensorElementType.Float16,
        TensorDataType.Int8 => TensorElementType.Int8,
        TensorDataType.UInt8 => TensorElementType.UInt8,
        TensorDataType.Int32 => TensorElementType.Int32,
        TensorDataType.Int64 => TensorElementType.Int64,
        TensorDataType.Bool => TensorElementType.Bool,
        TensorDataType.String => TensorElementType.String,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "no ONNX element type"),
    };
}
