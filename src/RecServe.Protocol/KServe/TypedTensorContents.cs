using Google.Protobuf;
using Google.Protobuf.Collections;
using Inference;
using RecServe.Core.Errors;
using RecServe.Core.Tensors;

namespace RecServe.Protocol.KServe;

/// <summary>
/// KServe v2's typed tensor encoding (<see cref="InferTensorContents"/>): FP32 in <c>fp32_contents</c>, FP64 in
/// <c>fp64_contents</c>, INT8 and INT32 in <c>int_contents</c>, UINT8 in <c>uint_contents</c>, INT64 in
/// <c>int64_contents</c>, BOOL in <c>bool_contents</c>, BYTES in <c>bytes_contents</c>. FP16 has no typed field in
/// the protocol and travels only as raw contents.
/// </summary>
public static class TypedTensorContents
{
    /// <summary>Whether <paramref name="type"/> has a typed contents field.</summary>
    public static bool CanEncode(TensorDataType type) => type != TensorDataType.Float16;

    /// <summary>
    /// Makes a tensor of <paramref name="type"/> and <paramref name="shape"/> (holding <paramref name="count"/>
    /// elements) from <paramref name="contents"/>. INVALID_ARGUMENT, naming <paramref name="name"/>, unless the
    /// datatype's field holds exactly <paramref name="count"/> values, no other field holds any, and every value fits.
    /// </summary>
    public static Tensor Decode(string name, TensorDataType type, long[] shape, int count, InferTensorContents? contents)
    {
        if (!CanEncode(type))
        {
            throw ServingException.InvalidArgument(
                $"input '{name}' is {KServeDataType.Name(type)}, which has no typed contents field; send it in raw_input_contents");
        }
        contents ??= new InferTensorContents();
        var given = FieldCount(type, contents);
        var total = TotalCount(contents);
        if (total != given)
        {
            throw ServingException.InvalidArgument(
                $"input '{name}' is {KServeDataType.Name(type)}, whose values go in {FieldName(type)}, but its contents hold {total - given} values in other fields");
        }
        if (given != count)
        {
            throw ServingException.InvalidArgument(
                $"input '{name}' has {given} values in {FieldName(type)} but shape {TensorShape.Format(shape)} holds {count}");
        }

        if (type == TensorDataType.String)
        {
            var strings = new byte[count][];
            for (var i = 0; i < count; i++)
            {
                strings[i] = contents.BytesContents[i].ToByteArray();
            }
            return Tensor.FromStrings(shape, strings);
        }
        var tensor = Tensor.Allocate(type, shape);
        try
        {
            switch (type)
            {
                case TensorDataType.Float32: Copy(contents.Fp32Contents, tensor.AsSpan<float>()); break;
                case TensorDataType.Float64: Copy(contents.Fp64Contents, tensor.AsSpan<double>()); break;
                case TensorDataType.Int32: Copy(contents.IntContents, tensor.AsSpan<int>()); break;
                case TensorDataType.Int64: Copy(contents.Int64Contents, tensor.AsSpan<long>()); break;
                case TensorDataType.Int8: CopyInt8(name, contents.IntContents, tensor.AsSpan<sbyte>()); break;
                case TensorDataType.UInt8: CopyUInt8(name, contents.UintContents, tensor.AsSpan<byte>()); break;
                case TensorDataType.Bool: CopyBool(contents.BoolContents, tensor.AsSpan<byte>()); break;
                default: throw new InvalidOperationException($"no typed contents for {type}");
            }
            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    /// <summary>The typed contents of <paramref name="tensor"/>; its type must pass <see cref="CanEncode"/>.</summary>
    public static InferTensorContents Encode(Tensor tensor)
    {
        var contents = new InferTensorContents();
        switch (tensor.DataType)
        {
            case TensorDataType.Float32: AddAll(contents.Fp32Contents, tensor.AsSpan<float>()); break;
            case TensorDataType.Float64: AddAll(contents.Fp64Contents, tensor.AsSpan<double>()); break;
            case TensorDataType.Int32: AddAll(contents.IntContents, tensor.AsSpan<int>()); break;
            case TensorDataType.Int64: AddAll(contents.Int64Contents, tensor.AsSpan<long>()); break;
            case TensorDataType.Int8:
                contents.IntContents.Capacity = (int)tensor.ElementCount;
                foreach (var value in tensor.AsSpan<sbyte>())
                {
                    contents.IntContents.Add(value);
                }
                break;
            case TensorDataType.UInt8:
                contents.UintContents.Capacity = (int)tensor.ElementCount;
                foreach (var value in tensor.AsSpan<byte>())
                {
                    contents.UintContents.Add(value);
                }
                break;
            case TensorDataType.Bool:
                contents.BoolContents.Capacity = (int)tensor.ElementCount;
                foreach (var value in tensor.AsSpan<byte>())
                {
                    contents.BoolContents.Add(value != 0);
                }
                break;
            case TensorDataType.String:
                foreach (var value in tensor.Strings)
                {
                    contents.BytesContents.Add(ByteString.CopyFrom(value));
                }
                break;
            default:
                throw new InvalidOperationException($"{tensor.DataType.DisplayName()} has no typed contents field");
        }
        return contents;
    }

    private static int FieldCount(TensorDataType type, InferTensorContents contents) => type switch
    {
        TensorDataType.Float32 => contents.Fp32Contents.Count,
        TensorDataType.Float64 => contents.Fp64Contents.Count,
        TensorDataType.Int8 or TensorDataType.Int32 => contents.IntContents.Count,
        TensorDataType.UInt8 => contents.UintContents.Count,
        TensorDataType.Int64 => contents.Int64Contents.Count,
        TensorDataType.Bool => contents.BoolContents.Count,
        TensorDataType.String => contents.BytesContents.Count,
        _ => 0,
    };

    private static string FieldName(TensorDataType type) => type switch
    {
        TensorDataType.Float32 => "fp32_contents",
        TensorDataType.Float64 => "fp64_contents",
        TensorDataType.Int8 or TensorDataType.Int32 => "int_contents",
        TensorDataType.UInt8 => "uint_contents",
        TensorDataType.Int64 => "int64_contents",
        TensorDataType.Bool => "bool_contents",
        TensorDataType.String => "bytes_contents",
        _ => "no field",
    };

    private static long TotalCount(InferTensorContents c) =>
        (long)c.BoolContents.Count + c.IntContents.Count + c.Int64Contents.Count + c.UintContents.Count
        + c.Uint64Contents.Count + c.Fp32Contents.Count + c.Fp64Contents.Count + c.BytesContents.Count;

    private static void Copy<T>(RepeatedField<T> values, Span<T> target)
    {
        for (var i = 0; i < target.Length; i++)
        {
            target[i] = values[i];
        }
    }

    private static void CopyInt8(string name, RepeatedField<int> values, Span<sbyte> target)
    {
        for (var i = 0; i < target.Length; i++)
        {
            var value = values[i];
            target[i] = value is >= sbyte.MinValue and <= sbyte.MaxValue
                ? (sbyte)value
                : throw OutOfRange(name, i, value, "INT8");
        }
    }

    private static void CopyUInt8(string name, RepeatedField<uint> values, Span<byte> target)
    {
        for (var i = 0; i < target.Length; i++)
        {
            var value = values[i];
            target[i] = value <= byte.MaxValue ? (byte)value : throw OutOfRange(name, i, value, "UINT8");
        }
    }

    private static void CopyBool(RepeatedField<bool> values, Span<byte> target)
    {
        for (var i = 0; i < target.Length; i++)
        {
            target[i] = values[i] ? (byte)1 : (byte)0;
        }
    }

    private static void AddAll<T>(RepeatedField<T> field, ReadOnlySpan<T> values)
    {
        field.Capacity = values.Length;
        foreach (var value in values)
        {
            field.Add(value);
        }
    }

    private static ServingException OutOfRange(string name, int index, long value, string datatype) =>
        ServingException.InvalidArgument($"input '{name}' value {index} is {value}, out of range for {datatype}");
}
