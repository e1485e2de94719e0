using System.Buffers;
using System.Text.Json;
using RecServe.Core.Tensors;
using RecServe.Protocol.Json;

namespace RecServe.Protocol.KServe;

/// <summary>
/// Writes KServe v2's REST inference response, <c>{"model_name", "model_version", "id"?, "outputs": [{"name",
/// "datatype", "shape", "data"}]}</c>, with <see cref="Utf8JsonWriter"/> straight into the caller's buffer.
/// </summary>
/// <remarks>
/// "data" is flat, in row-major order. Floats are written as the TF-Serving REST writer writes them (shortest
/// round-trip text; bare NaN/Infinity tokens, which plain JSON lacks); FP16 as the float value it widens to; BYTES
/// as strings, or as <c>{"b64": ...}</c> for a value that is not UTF-8, which JSON strings cannot carry.
/// </remarks>
public static class InferJsonResponseWriter
{
    /// <summary>Writes the response; <paramref name="id"/> is left out when null or empty.</summary>
    public static void Write(IBufferWriter<byte> output, string modelName, long version, string? id, IReadOnlyList<NamedTensor> outputs) =>
        Write(output, modelName, version, id, [], outputs);

    /// <summary>
    /// Writes the response with the id of <see cref="InferJsonRequestReader.ReadInto"/>'s header: its escaped id, or
    /// else its UTF-8 bytes in the request body (<paramref name="idUtf8"/>); no id is written when both are empty.
    /// </summary>
    public static void Write(IBufferWriter<byte> output, string modelName, long version, string? id, ReadOnlySpan<byte> idUtf8, IReadOnlyList<NamedTensor> outputs)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(outputs);
        var writer = ThreadJsonWriter.Attach(output);
        try
        {
            writer.WriteStartObject();
            writer.WriteString("model_name"u8, modelName);
            WriteVersion(writer, version);
            if (!string.IsNullOrEmpty(id))
            {
                writer.WriteString("id"u8, id);
            }
            else if (!idUtf8.IsEmpty)
            {
                writer.WriteString("id"u8, idUtf8);
            }
            writer.WriteStartArray("outputs"u8);
            // By index: a foreach over the interface would box the list's enumerator.
            for (var i = 0; i < outputs.Count; i++)
            {
                var (name, tensor) = outputs[i];
                writer.WriteStartObject();
                writer.WriteString("name"u8, name);
                writer.WriteString("datatype"u8, KServeDataType.Name(tensor.DataType));
                writer.WriteStartArray("shape"u8);
                foreach (var dim in tensor.Shape)
                {
                    writer.WriteNumberValue(dim);
                }
                writer.WriteEndArray();
                writer.WritePropertyName("data"u8);
                JsonTensorWriter.WriteFlat(writer, tensor, asBytes: false);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.Flush();
        }
        finally
        {
            ThreadJsonWriter.Release(writer);
        }
    }

    // The version as its decimal text, formatted on the stack rather than into a new string.
    private static void WriteVersion(Utf8JsonWriter writer, long version)
    {
        // 20 bytes hold any long, sign included.
        Span<byte> digits = stackalloc byte[20];
        version.TryFormat(digits, out var written, default, System.Globalization.CultureInfo.InvariantCulture);
        writer.WriteString("model_version"u8, digits[..written]);
    }
}
