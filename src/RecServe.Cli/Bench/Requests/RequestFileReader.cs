using System.Text;
using System.Text.Json;
using RecServe.Core.Errors;
using RecServe.Core.Signatures;
using RecServe.Core.Tensors;
using RecServe.Protocol.Json;

namespace RecServe.Cli.Bench.Requests;

/// <summary>
/// Reads recorded requests: TF-Serving REST predict bodies (<c>"inputs"</c> columnar or <c>"instances"</c> rows),
/// one JSON object per line, or a JSON array of such objects. Other keys (e.g. expected outputs) are ignored.
/// </summary>
internal static class RequestFileReader
{
    /// <summary>The requests in <paramref name="path"/>, typed by <paramref name="signature"/>.</summary>
    public static List<TensorSet> Read(string path, ModelSignature signature)
    {
        var bodies = SplitBodies(File.ReadAllBytes(path));
        if (bodies.Count == 0)
        {
            throw new ArgumentException($"--requests {path} holds no requests");
        }
        var reader = new PredictJsonRequestReader();
        var requests = new List<TensorSet>(bodies.Count);
        try
        {
            for (var i = 0; i < bodies.Count; i++)
            {
                requests.Add(ReadOne(reader, bodies[i], signature, path, i + 1));
            }
            return requests;
        }
        catch
        {
            foreach (var request in requests)
            {
                request.Dispose();
            }
            throw;
        }
    }

    private static TensorSet ReadOne(PredictJsonRequestReader reader, byte[] body, ModelSignature signature, string path, int number)
    {
        PredictJsonRequest request;
        try
        {
            request = reader.Read(body, signature);
        }
        catch (ServingException e)
        {
            throw new ArgumentException($"--requests {path}, request {number}: {e.Message}", e);
        }
        // The set takes the tensors over in signature order, so every encoding lists inputs alike.
        var set = new TensorSet(signature.Inputs.Count);
        foreach (var spec in signature.Inputs)
        {
            set.Add(spec.Name, request.Inputs[spec.Name]);
        }
        return set;
    }

    private static List<byte[]> SplitBodies(byte[] content)
    {
        var text = content.AsSpan().Trim(" \t\r\n"u8);
        var bodies = new List<byte[]>();
        if (text.Length > 0 && text[0] == (byte)'[')
        {
            using var document = JsonDocument.Parse(content);
            foreach (var element in document.RootElement.EnumerateArray())
            {
                bodies.Add(Encoding.UTF8.GetBytes(element.GetRawText()));
            }
            return bodies;
        }
        foreach (var line in Encoding.UTF8.GetString(text).Split('\n'))
        {
            var trimmed = line.Trim();
            if (trimmed.Length > 0)
            {
                bodies.Add(Encoding.UTF8.GetBytes(trimmed));
            }
        }
        return bodies;
    }
}
