using System.Text.Json;
using System.Text.Unicode;
using RecServe.Core.Tensors;

namespace RecServe.Protocol.Json;

/// <summary>Writes a tensor, or one row of it, as nested JSON lists of scalars.</summary>
internal static class JsonTensorWriter
{
    /// <summary>
    /// Writes the dimensions from <paramref name="dim"/> on, starting at element <paramref name="offset"/>
    /// (advanced past what was written); past the last dimension, writes one bare scalar. When
    /// <paramref name="asBytes"/> is set, string elements go out as <c>{"b64": ...}</c> objects.
    /// </summary>
    public static void Write(Utf8JsonWriter writer, Tensor tensor, int dim, ref int offset, bool asBytes)
    {
        var shape = tensor.Shape;
        if (dim == shape.Length)
        {
            WriteElements(writer, tensor, offset, 1, asBytes);
            offset++;
            return;
        }
        writer.WriteStartArray();
        var length = (int)shape[dim];
        if (dim == shape.Length - 1)
        {
            WriteElements(writer, tensor, offset, length, asBytes);
            offset += length;
        }
        else
        {
            for (var i = 0; i < length; i++)
            {
                Write(writer, tensor, dim + 1, ref offset, asBytes);
            }
        }
        writer.WriteEndArray();
    }

    /// <summary>Writes every element as one flat list, whatever the tensor's rank (KServe v2's "data").</summary>
    public static void WriteFlat(Utf8JsonWriter writer, Tensor tensor, bool asBytes)
    {
        writer.WriteStartArray();
        WriteElements(writer, tensor, 0, checked((int)tensor.ElementCount), asBytes);
        writer.WriteEndArray();
    }

    // One switch per run of elements, so the per-element loops stay tight.
    private static void WriteElements(Utf8JsonWriter writer, Tensor tensor, int start, int count, bool asBytes)
    {
        switch (tensor.DataType)
        {
            case TensorDataType.Float32:
                foreach (var value in tensor.AsSpan<float>().Slice(start, count))
                {
                    JsonFloatWriter.Write(writer, value);
                }
                break;
            case TensorDataType.Float64:
                foreach (var value in tensor.AsSpan<double>().Slice(start, count))
                {
                    JsonFloatWriter.Write(writer, value);
                }
                break;
            case TensorDataType.Float16:
                // Written as the float32 value it widens to exactly, as TF-Serving writes half outputs.
                foreach (var value in tensor.AsSpan<Half>().Slice(start, count))
                {
                    JsonFloatWriter.Write(writer, (float)value);
                }
                break;
            case TensorDataType.Int8:
                foreach (var value in tensor.AsSpan<sbyte>().Slice(start, count))
                {
                    writer.WriteNumberValue(value);
                }
                break;
            case TensorDataType.UInt8:
                foreach (var value in tensor.AsSpan<byte>().Slice(start, count))
                {
                    writer.WriteNumberValue(value);
                }
                break;
            case TensorDataType.Int32:
                foreach (var value in tensor.AsSpan<int>().Slice(start, count))
                {
                    writer.WriteNumberValue(value);
                }
                break;
            case TensorDataType.Int64:
                foreach (var value in tensor.AsSpan<long>().Slice(start, count))
                {
                    writer.WriteNumberValue(value);
                }
                break;
            case TensorDataType.Bool:
                foreach (var value in tensor.AsSpan<byte>().Slice(start, count))
                {
                    writer.WriteBooleanValue(value != 0);
                }
                break;
            case TensorDataType.String:
                foreach (var value in tensor.Strings.AsSpan(start, count))
                {
                    WriteString(writer, value, asBytes);
                }
                break;
            default:
                throw new InvalidOperationException($"a {tensor.DataType.DisplayName()} tensor cannot be written as JSON");
        }
    }

    // JSON strings carry text only, so bytes that are not UTF-8 go out base64-encoded, as named bytes outputs do.
    private static void WriteString(Utf8JsonWriter writer, byte[] value, bool asBytes)
    {
        if (asBytes || !Utf8.IsValid(value))
        {
            writer.WriteStartObject();
            writer.WriteBase64String("b64"u8, value);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteStringValue((ReadOnlySpan<byte>)value);
        }
    }
}
