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
    public static void Write(IBufferWriter<byte> output, string modelName, long version, string? id, IReadOnlyList<NamedTensor> outputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        using var writer = new Utf8JsonWriter(output, KServeJson.WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("model_name"u8, modelName);
        writer.WriteString("model_version"u8, KServeVersion.Format(version));
        if (!string.IsNullOrEmpty(id))
        {
            writer.WriteString("id"u8, id);
        }
        writer.WriteStartArray("outputs"u8);
        foreach (var (name, tensor) in outputs)
        {
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
    }
}
