using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace RecServe.Protocol.Json;

/// <summary>
/// One <see cref="Utf8JsonWriter"/> per thread for the REST response writers (TF-Serving and KServe v2), pointed at
/// each response's buffer in turn: a new writer per response was the writers' only allocation. Responses are not
/// embedded in HTML, so only what JSON requires is escaped (base64 keeps its '+' and '/').
/// </summary>
internal static class ThreadJsonWriter
{
    /// <summary>The options every REST response is written with.</summary>
    public static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly ArrayBufferWriter<byte> Detached = new(1);

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>
    /// This thread's writer, pointed at <paramref name="output"/>. Write synchronously, <see cref="Utf8JsonWriter.Flush"/>,
    /// then <see cref="Release"/> it in a finally block.
    /// </summary>
    public static Utf8JsonWriter Attach(IBufferWriter<byte> output)
    {
        var writer = t_writer ??= new Utf8JsonWriter(Detached, Options);
        writer.Reset(output);
        return writer;
    }

    /// <summary>Points the writer away from the caller's buffer (Reset writes nothing), so it keeps no reference to it.</summary>
    public static void Release(Utf8JsonWriter writer) => writer.Reset(Detached);
}
