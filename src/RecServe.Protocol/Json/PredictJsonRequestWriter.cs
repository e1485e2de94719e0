using System.Buffers;
using System.Text.Json;
using RecServe.Core.Tensors;

namespace RecServe.Protocol.Json;

/// <summary>
/// Writes input tensors as a TF-Serving REST predict body in the columnar format, <c>{"inputs": {name: nested list}}</c>,
/// on one line: what recorded warm-up requests are (docs/WARMUP.md), whichever API the request came in by.
/// </summary>
public static class PredictJsonRequestWriter
{
    /// <summary>Writes <paramref name="inputs"/> to <paramref name="output"/>, without indentation or line breaks.</summary>
    public static void Write(IBufferWriter<byte> output, IReadOnlyDictionary<string, Tensor> inputs)
    {
        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = false, SkipValidation = true });
        writer.WriteStartObject();
        writer.WriteStartObject("inputs");
        foreach (var (name, tensor) in inputs)
        {
            writer.WritePropertyName(name);
            var offset = 0;
            // Strings go out as {"b64": ...}: the reader decodes them back to the same bytes.
            JsonTensorWriter.Write(writer, tensor, 0, ref offset, asBytes: tensor.DataType == TensorDataType.String);
        }
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
