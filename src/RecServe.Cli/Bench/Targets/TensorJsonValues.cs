using System.Text.Json;
using RecServe.Core.Tensors;

namespace RecServe.Cli.Bench.Targets;

/// <summary>Writes a tensor's values as JSON numbers: flat (KServe v2 <c>data</c>) or nested by shape (TF-Serving).</summary>
internal static class TensorJsonValues
{
    /// <summary>Writes every element as one flat JSON list.</summary>
    public static void WriteFlat(Utf8JsonWriter writer, Tensor tensor)
    {
        writer.WriteStartArray();
        WriteRun(writer, tensor, 0, checked((int)tensor.ElementCount));
        writer.WriteEndArray();
    }

    /// <summary>Writes the tensor as lists nested like its shape (a bare value for a scalar).</summary>
    public static void WriteNested(Utf8JsonWriter writer, Tensor tensor)
    {
        var offset = 0;
        WriteNested(writer, tensor, 0, ref offset);
    }

    private static void WriteNested(Utf8JsonWriter writer, Tensor tensor, int dim, ref int offset)
    {
        var shape = tensor.Shape;
        if (dim == shape.Length)
        {
            WriteRun(writer, tensor, offset++, 1);
            return;
        }
        writer.WriteStartArray();
        var length = (int)shape[dim];
        if (dim == shape.Length - 1)
        {
            WriteRun(writer, tensor, offset, length);
            offset += length;
        }
        else
        {
            for (var i = 0; i < length; i++)
            {
                WriteNested(writer, tensor, dim + 1, ref offset);
            }
        }
        writer.WriteEndArray();
    }

    private static void WriteRun(Utf8JsonWriter writer, Tensor tensor, int start, int count)
    {
        switch (tensor.DataType)
        {
            case TensorDataType.Float32:
                foreach (var v in tensor.AsSpan<float>().Slice(start, count))
                {
                    writer.WriteNumberValue(v);
                }
                break;
            case TensorDataType.Float64:
                foreach (var v in tensor.AsSpan<double>().Slice(start, count))
                {
                    writer.WriteNumberValue(v);
                }
                break;
            case TensorDataType.Float16:
                foreach (var v in tensor.AsSpan<Half>().Slice(start, count))
                {
                    writer.WriteNumberValue((float)v);
                }
                break;
            case TensorDataType.Int64:
                foreach (var v in tensor.AsSpan<long>().Slice(start, count))
                {
                    writer.WriteNumberValue(v);
                }
                break;
            case TensorDataType.Int32:
                foreach (var v in tensor.AsSpan<int>().Slice(start, count))
                {
                    writer.WriteNumberValue(v);
                }
                break;
            case TensorDataType.Int8:
                foreach (var v in tensor.AsSpan<sbyte>().Slice(start, count))
                {
                    writer.WriteNumberValue(v);
                }
                break;
            case TensorDataType.UInt8:
                foreach (var v in tensor.AsSpan<byte>().Slice(start, count))
                {
                    writer.WriteNumberValue(v);
                }
                break;
            case TensorDataType.Bool:
                foreach (var v in tensor.AsSpan<byte>().Slice(start, count))
                {
                    writer.WriteBooleanValue(v != 0);
                }
                break;
            default:
                throw new ArgumentException($"{tensor.DataType.DisplayName()} tensors cannot be sent as JSON numbers by bench");
        }
    }
}
