using System.Buffers;
using System.Text.Json;
using RecServe.Core.Errors;
using RecServe.Core.Tensors;

namespace RecServe.Protocol.Json;

/// <summary>
/// Writes TensorFlow Serving's REST predict responses and error bodies with <see cref="Utf8JsonWriter"/>
/// straight into the caller's buffer.
/// </summary>
/// <remarks>
/// Floats are written in their shortest round-trip form (".0" added to whole numbers) and non-finite values as
/// bare <c>NaN</c>/<c>Infinity</c>/<c>-Infinity</c> tokens, as TF-Serving does; float16 as its float value.
/// String outputs whose name ends in "_bytes", and any string that is not valid UTF-8, are written as
/// <c>{"b64": "..."}</c>.
/// </remarks>
public static class PredictJsonResponseWriter
{
    private const string BytesSuffix = "_bytes";


    /// <summary>
    /// Writes <c>{"predictions": [...]}</c> (row format: one entry per batch row, a bare value when there is
    /// one output, else an object by output name) or <c>{"outputs": ...}</c> (columnar format: the whole tensor
    /// when there is one output, else an object by output name). Outputs are written in the given order.
    /// </summary>
    /// <exception cref="ServingException">
    /// INVALID_ARGUMENT, with nothing written, when there are no outputs or, in row format, an output is a scalar
    /// or the outputs disagree on the batch size (TF-Serving fails such responses the same way).
    /// </exception>
    public static void Write(IBufferWriter<byte> output, PredictJsonFormat format, IReadOnlyList<NamedTensor> outputs)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(outputs);
        if (outputs.Count == 0)
        {
            throw ServingException.InvalidArgument("the prediction has no outputs to write");
        }
        var rows = format == PredictJsonFormat.Row ? RowCount(outputs) : 0;

        var writer = ThreadJsonWriter.Attach(output);
        try
        {
            writer.WriteStartObject();
            if (format == PredictJsonFormat.Row)
            {
                WriteRows(writer, outputs, rows);
            }
            else
            {
                WriteColumns(writer, outputs);
            }
            writer.WriteEndObject();
            writer.Flush();
        }
        finally
        {
            ThreadJsonWriter.Release(writer);
        }
    }

    /// <summary>Writes TF-Serving's error body, <c>{"error": message}</c>.</summary>
    public static void WriteError(IBufferWriter<byte> output, string message)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(message);
        using var writer = new Utf8JsonWriter(output, ThreadJsonWriter.Options);
        writer.WriteStartObject();
        writer.WriteString("error"u8, message);
        writer.WriteEndObject();
    }

    private static void WriteRows(Utf8JsonWriter writer, IReadOnlyList<NamedTensor> outputs, int rows)
    {
        writer.WritePropertyName("predictions"u8);
        writer.WriteStartArray();
        var single = outputs.Count == 1;
        Span<int> offsets = outputs.Count <= 64 ? stackalloc int[outputs.Count] : new int[outputs.Count];
        for (var row = 0; row < rows; row++)
        {
            if (!single)
            {
                writer.WriteStartObject();
            }
            for (var i = 0; i < outputs.Count; i++)
            {
                var (name, tensor) = outputs[i];
                if (!single)
                {
                    writer.WritePropertyName(name);
                }
                // Dimension 0 is the batch: each row writes the dimensions after it.
                JsonTensorWriter.Write(writer, tensor, 1, ref offsets[i], IsBytesOutput(name, tensor));
            }
            if (!single)
            {
                writer.WriteEndObject();
            }
        }
        writer.WriteEndArray();
    }

    private static void WriteColumns(Utf8JsonWriter writer, IReadOnlyList<NamedTensor> outputs)
    {
        writer.WritePropertyName("outputs"u8);
        var single = outputs.Count == 1;
        if (!single)
        {
            writer.WriteStartObject();
        }
        for (var i = 0; i < outputs.Count; i++)
        {
            var (name, tensor) = outputs[i];
            if (!single)
            {
                writer.WritePropertyName(name);
            }
            var offset = 0;
            JsonTensorWriter.Write(writer, tensor, 0, ref offset, IsBytesOutput(name, tensor));
        }
        if (!single)
        {
            writer.WriteEndObject();
        }
    }

    // Row format splits every output along dimension 0, so all must have one, of the same size.
    private static int RowCount(IReadOnlyList<NamedTensor> outputs)
    {
        var rows = -1L;
        string? first = null;
        foreach (var (name, tensor) in outputs)
        {
            if (tensor.Shape.Length == 0)
            {
                throw ServingException.InvalidArgument(
                    $"output '{name}' is a scalar, so it cannot be split into rows for \"predictions\"; send the request with \"inputs\" (columnar format) instead");
            }
            var size = tensor.Shape[0];
            if (first is null)
            {
                (rows, first) = (size, name);
            }
            else if (size != rows)
            {
                throw ServingException.InvalidArgument(
                    $"output '{name}' has batch size {size} but output '{first}' has {rows}, so they cannot be split into the same rows for \"predictions\"; send the request with \"inputs\" (columnar format) instead");
            }
        }
        return (int)rows;
    }

    private static bool IsBytesOutput(string name, Tensor tensor)
        => tensor.DataType == TensorDataType.String && name.EndsWith(BytesSuffix, StringComparison.Ordinal);
}
