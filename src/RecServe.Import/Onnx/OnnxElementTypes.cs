using RecServe.Core.Tensors;
using RecServe.Import.Onnx.Proto;

namespace RecServe.Import.Onnx;

/// <summary>Maps ONNX value types to manifest dtypes and shapes.</summary>
internal static class OnnxElementTypes
{
    /// <summary>The RecServe type of an ONNX element type, or <see cref="TensorDataType.Invalid"/>.</summary>
    public static TensorDataType ToTensorDataType(int elemType) => (TensorProto.Types.DataType)elemType switch
    {
        TensorProto.Types.DataType.Float => TensorDataType.Float32,
        TensorProto.Types.DataType.Double => TensorDataType.Float64,
        TensorProto.Types.DataType.Float16 => TensorDataType.Float16,
        TensorProto.Types.DataType.Int8 => TensorDataType.Int8,
        TensorProto.Types.DataType.Uint8 => TensorDataType.UInt8,
        TensorProto.Types.DataType.Int32 => TensorDataType.Int32,
        TensorProto.Types.DataType.Int64 => TensorDataType.Int64,
        TensorProto.Types.DataType.Bool => TensorDataType.Bool,
        TensorProto.Types.DataType.String => TensorDataType.String,
        _ => TensorDataType.Invalid,
    };

    /// <summary>The manifest dtype name of a tensor value; throws for values RecServe cannot carry.</summary>
    public static string DtypeName(ValueInfoProto value)
    {
        var type = value.Type?.TensorType is { } tensor ? ToTensorDataType(tensor.ElemType) : TensorDataType.Invalid;
        if (type == TensorDataType.Invalid)
        {
            throw new ImportException($"'{value.Name}' is not a tensor of a type RecServe serves");
        }
        return type.DisplayName();
    }

    /// <summary>The manifest shape of a value: fixed sizes kept, symbolic or unknown ones -1.</summary>
    public static long[] Shape(ValueInfoProto value)
    {
        var dims = value.Type?.TensorType?.Shape?.Dim;
        if (dims is null)
        {
            return [-1];
        }
        return dims.Select(d => d.HasDimValue && d.DimValue > 0 ? d.DimValue : -1L).ToArray();
    }
}
