using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace RecServe.Server.Rest;

/// <summary>Writes REST answers: JSON bodies and TF-Serving's <c>{"error": "..."}</c>.</summary>
internal static class RestResponses
{
    public static Task WriteJsonAsync(HttpContext context, int status, ReadOnlyMemory<byte> body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body).AsTask();
    }

    public static Task WriteErrorAsync(HttpContext context, int status, string message)
    {
        var buffer = new ArrayBufferWriter<byte>(message.Length + 16);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("error", message);
            writer.WriteEndObject();
        }
        return WriteJsonAsync(context, status, buffer.WrittenMemory);
    }
}
