using System.Text.Encodings.Web;
using System.Text.Json;

namespace RecServe.Protocol.KServe;

/// <summary>Settings shared by the KServe v2 JSON writers.</summary>
internal static class KServeJson
{
    // Responses are not embedded in HTML, so only what JSON requires is escaped.
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
