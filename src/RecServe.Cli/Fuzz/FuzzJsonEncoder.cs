using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using RecServe.Core.Tensors;

namespace RecServe.Cli.Fuzz;

/// <summary>
/// Encodes a <see cref="FuzzPlan"/> as a TF-Serving REST predict body (row or columnar) or a KServe v2 REST infer
/// body. Values nest by the claimed shape when it matches their count, else they are written flat.
/// </summary>
internal static class FuzzJsonEncoder
{
    // Nesting a shape of billions of elements is not possible; such tensors are written flat.
    private const long MaxNestedElements = 4096;

    /// <summary>The TF-Serving predict body: <c>"instances"</c> (rows) when <paramref name="rows"/> and the inputs allow it, else <c>"inputs"</c>.</summary>
    public static byte[] Predict(FuzzPlan plan, bool rows)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (plan.Signature is not null)
            {
                writer.WriteString("signature_name", plan.Signature);
            }
            var batch = rows ? RowCount(plan) : null;
            if (batch is { } rowCount)
            {
                writer.WriteStartArray("instances");
                for (var row = 0; row < rowCount; row++)
                {
                    writer.WriteStartObject();
                    foreach (var input in plan.Inputs)
                    {
                        writer.WritePropertyName(input.Name);
                        var rowSize = (int)(input.Values.Length / rowCount);
                        WriteNested(writer, input, input.Shape.AsSpan(1), row * rowSize);
                    }
                    writer.WriteEndObject();
                }
                writer.WriteEndArray();
            }
            else
            {
                writer.WriteStartObject("inputs");
                foreach (var input in plan.Inputs)
                {
                    writer.WritePropertyName(input.Name);
                    WriteTensor(writer, input);
                }
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The KServe v2 infer body, with explicit shapes and datatypes.</summary>
    public static byte[] Infer(FuzzPlan plan)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("id", "fuzz");
            writer.WriteStartArray("inputs");
            foreach (var input in plan.Inputs)
            {
                writer.WriteStartObject();
                writer.WriteString("name", input.Name);
                writer.WriteStartArray("shape");
                foreach (var dim in input.Shape)
                {
                    writer.WriteNumberValue(dim);
                }
                writer.WriteEndArray();
                writer.WriteString("datatype", FuzzProtoEncoder.KServeName(input.DataType));
                writer.WritePropertyName("data");
                if (input.Packed)
                {
                    WriteTensor(writer, input);
                }
                else
                {
                    WriteFlat(writer, input);
                }
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            if (plan.Outputs.Count > 0)
            {
                writer.WriteStartArray("outputs");
                foreach (var output in plan.Outputs)
                {
                    writer.WriteStartObject();
                    writer.WriteString("name", output);
                    writer.WriteEndObject();
                }
                writer.WriteEndArray();
            }
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    // Rows need every input to share a first dimension that splits its values evenly.
    private static long? RowCount(FuzzPlan plan)
    {
        long? batch = null;
        foreach (var input in plan.Inputs)
        {
            if (input.Shape.Length == 0 || input.ElementCount is not { } count || count != input.Values.Length || count > MaxNestedElements
                || input.Shape[0] == 0 || (batch is { } b && b != input.Shape[0]))
            {
                return null;
            }
            batch = input.Shape[0];
        }
        return batch;
    }

    private static void WriteTensor(Utf8JsonWriter writer, FuzzTensor input)
    {
        if (input.ElementCount is { } count && count == input.Values.Length && count <= MaxNestedElements)
        {
            WriteNested(writer, input, input.Shape, 0);
        }
        else
        {
            WriteFlat(writer, input);
        }
    }

    private static void WriteFlat(Utf8JsonWriter writer, FuzzTensor input)
    {
        writer.WriteStartArray();
        foreach (var value in input.Values)
        {
            WriteValue(writer, input, value);
        }
        writer.WriteEndArray();
    }

    // Writes the values from offset as nested arrays of the given dimensions; returns how many it wrote.
    private static long WriteNested(Utf8JsonWriter writer, FuzzTensor input, ReadOnlySpan<long> dims, long offset)
    {
        if (dims.IsEmpty)
        {
            WriteValue(writer, input, input.Values[offset]);
            return 1;
        }
        writer.WriteStartArray();
        long written = 0;
        for (long i = 0; i < dims[0]; i++)
        {
            written += WriteNested(writer, input, dims[1..], offset + written);
        }
        writer.WriteEndArray();
        return written;
    }

    private static void WriteValue(Utf8JsonWriter writer, FuzzTensor input, double value)
    {
        switch (input.DataType)
        {
            case TensorDataType.String when input.Packed:
                writer.WriteStartObject();
                writer.WriteString("b64", Convert.ToBase64String(Encoding.UTF8.GetBytes(FuzzValues.Text(value))));
                writer.WriteEndObject();
                break;
            case TensorDataType.String:
                writer.WriteStringValue(FuzzValues.Text(value));
                break;
            case TensorDataType.Bool:
                writer.WriteBooleanValue(value != 0);
                break;
            case var type when !FuzzValues.IsFloatingPoint(type):
                writer.WriteNumberValue((long)value);
                break;
            default:
                // JSON has no NaN or infinity: RecServe (like TF-Serving's clients) spells them as strings.
                if (double.IsFinite(value))
                {
                    writer.WriteNumberValue(value);
                }
                else
                {
                    writer.WriteStringValue(value.ToString(CultureInfo.InvariantCulture));
                }
                break;
        }
    }
}
