using System.Text.Json;
using RecServe.Protocol.Json;

namespace RecServe.Protocol.KServe;

/// <summary>Settings shared by the KServe v2 JSON writers.</summary>
internal static class KServeJson
{
    // The same as TF-Serving REST's: responses are not embedded in HTML, so only what JSON requires is escaped.
    public static readonly JsonWriterOptions WriterOptions = ThreadJsonWriter.Options;
}
