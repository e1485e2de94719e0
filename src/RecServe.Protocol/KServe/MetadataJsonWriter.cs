using System.Buffers;
using System.Text.Json;
using Inference;

namespace RecServe.Protocol.KServe;

/// <summary>
/// Writes KServe v2's REST metadata bodies from the gRPC messages, so that both APIs describe a model from one
/// source. Written by hand rather than with protobuf's JSON formatter, which would quote 64-bit shape sizes.
/// </summary>
public static class MetadataJsonWriter
{
    /// <summary>Writes <c>{"name", "version", "extensions"}</c>.</summary>
    public static void WriteServerMetadata(IBufferWriter<byte> output, ServerMetadataResponse metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        using var writer = new Utf8JsonWriter(output, KServeJson.WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("name"u8, metadata.Name);
        writer.WriteString("version"u8, metadata.Version);
        writer.WriteStartArray("extensions"u8);
        foreach (var extension in metadata.Extensions)
        {
            writer.WriteStringValue(extension);
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>Writes <c>{"name", "versions", "platform", "inputs", "outputs"}</c>, shapes as JSON numbers.</summary>
    public static void WriteModelMetadata(IBufferWriter<byte> output, ModelMetadataResponse metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        using var writer = new Utf8JsonWriter(output, KServeJson.WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("name"u8, metadata.Name);
        writer.WriteStartArray("versions"u8);
        foreach (var version in metadata.Versions)
        {
            writer.WriteStringValue(version);
        }
        writer.WriteEndArray();
        writer.WriteString("platform"u8, metadata.Platform);
        WriteTensors(writer, "inputs"u8, metadata.Inputs);
        WriteTensors(writer, "outputs"u8, metadata.Outputs);
        writer.WriteEndObject();
    }

    private static void WriteTensors(Utf8JsonWriter writer, ReadOnlySpan<byte> property, IEnumerable<ModelMetadataResponse.Types.TensorMetadata> tensors)
    {
        writer.WriteStartArray(property);
        foreach (var tensor in tensors)
        {
            writer.WriteStartObject();
            writer.WriteString("name"u8, tensor.Name);
            writer.WriteString("datatype"u8, tensor.Datatype);
            writer.WriteStartArray("shape"u8);
            foreach (var dim in tensor.Shape)
            {
                writer.WriteNumberValue(dim);
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }
}
