using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Inference;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Integration.Tests;

/// <summary>Builds KServe v2 request tensors from <see cref="InputData"/> and reads response tensors, in every encoding.</summary>
internal static class KServeTensors
{
    public static string Datatype(TensorElementType type) => type switch
    {
        TensorElementType.Float => "FP32",
        TensorElementType.Double => "FP64",
        TensorElementType.Float16 => "FP16",
        TensorElementType.Int64 => "INT64",
        TensorElementType.Int32 => "INT32",
        TensorElementType.Bool => "BOOL",
        TensorElementType.String => "BYTES",
        _ => throw new InvalidOperationException("unsupported fixture type " + type),
    };

    /// <summary>Adds <paramref name="inputs"/> to <paramref name="request"/>, raw or typed.</summary>
    public static ModelInferRequest Request(string model, IEnumerable<InputData> inputs, bool raw)
    {
        var request = new ModelInferRequest { ModelName = model };
        foreach (var input in inputs)
        {
            var tensor = new ModelInferRequest.Types.InferInputTensor { Name = input.Name, Datatype = Datatype(input.Type) };
            tensor.Shape.Add(input.Shape);
            if (raw)
            {
                request.RawInputContents.Add(RawBytes(input.Values));
            }
            else
            {
                tensor.Contents = Typed(input.Values);
            }
            request.Inputs.Add(tensor);
        }
        return request;
    }

    public static ByteString RawBytes(Array values) => values switch
    {
        float[] f => ByteString.CopyFrom(MemoryMarshal.AsBytes(f.AsSpan())),
        double[] d => ByteString.CopyFrom(MemoryMarshal.AsBytes(d.AsSpan())),
        Half[] h => ByteString.CopyFrom(MemoryMarshal.AsBytes(h.AsSpan())),
        long[] l => ByteString.CopyFrom(MemoryMarshal.AsBytes(l.AsSpan())),
        int[] i => ByteString.CopyFrom(MemoryMarshal.AsBytes(i.AsSpan())),
        bool[] b => ByteString.CopyFrom(b.Select(v => v ? (byte)1 : (byte)0).ToArray()),
        string[] s => ByteString.CopyFrom(s.SelectMany(v =>
        {
            var utf8 = Encoding.UTF8.GetBytes(v);
            return BitConverter.GetBytes(utf8.Length).Concat(utf8);
        }).ToArray()),
        _ => throw new InvalidOperationException(),
    };

    private static InferTensorContents Typed(Array values)
    {
        var contents = new InferTensorContents();
        switch (values)
        {
            case float[] f: contents.Fp32Contents.Add(f); break;
            case double[] d: contents.Fp64Contents.Add(d); break;
            case long[] l: contents.Int64Contents.Add(l); break;
            case int[] i: contents.IntContents.Add(i); break;
            case bool[] b: contents.BoolContents.Add(b); break;
            case string[] s: contents.BytesContents.Add(s.Select(ByteString.CopyFromUtf8)); break;
            case Half[] h: contents.Fp32Contents.Add(h.Select(v => (float)v)); break;
            default: throw new InvalidOperationException();
        }
        return contents;
    }

    /// <summary>Output <paramref name="index"/> of a response as (numbers or strings), whichever encoding the server used.</summary>
    public static (double[]? Numbers, string[]? Strings) Values(ModelInferResponse response, int index)
    {
        var output = response.Outputs[index];
        if (response.RawOutputContents.Count > 0)
        {
            var raw = response.RawOutputContents[index].Span;
            return output.Datatype switch
            {
                "FP32" => (MemoryMarshal.Cast<byte, float>(raw).ToArray().Select(v => (double)v).ToArray(), null),
                "FP64" => (MemoryMarshal.Cast<byte, double>(raw).ToArray(), null),
                "FP16" => (MemoryMarshal.Cast<byte, Half>(raw).ToArray().Select(v => (double)v).ToArray(), null),
                "INT64" => (MemoryMarshal.Cast<byte, long>(raw).ToArray().Select(v => (double)v).ToArray(), null),
                "INT32" => (MemoryMarshal.Cast<byte, int>(raw).ToArray().Select(v => (double)v).ToArray(), null),
                "BOOL" => (raw.ToArray().Select(v => (double)v).ToArray(), null),
                "BYTES" => (null, LengthPrefixedStrings(raw)),
                _ => throw new InvalidOperationException("unexpected datatype " + output.Datatype),
            };
        }
        var c = output.Contents;
        return output.Datatype switch
        {
            "FP32" => (c.Fp32Contents.Select(v => (double)v).ToArray(), null),
            "FP64" => (c.Fp64Contents.ToArray(), null),
            "INT64" => (c.Int64Contents.Select(v => (double)v).ToArray(), null),
            "INT32" => (c.IntContents.Select(v => (double)v).ToArray(), null),
            "BOOL" => (c.BoolContents.Select(v => v ? 1.0 : 0.0).ToArray(), null),
            "BYTES" => (null, c.BytesContents.Select(b => b.ToStringUtf8()).ToArray()),
            _ => throw new InvalidOperationException("unexpected typed datatype " + output.Datatype),
        };
    }

    private static string[] LengthPrefixedStrings(ReadOnlySpan<byte> raw)
    {
        var values = new List<string>();
        while (!raw.IsEmpty)
        {
            var length = BitConverter.ToInt32(raw[..4]);
            values.Add(Encoding.UTF8.GetString(raw.Slice(4, length)));
            raw = raw[(4 + length)..];
        }
        return values.ToArray();
    }

    /// <summary>An entry of a REST request's "inputs": data nested as the shape is, or flat.</summary>
    public static JsonObject Json(InputData input, bool nested)
    {
        JsonNode data = nested ? input.ToJson() : Flat(input);
        return new JsonObject
        {
            ["name"] = input.Name,
            ["shape"] = new JsonArray(input.Shape.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray()),
            ["datatype"] = Datatype(input.Type),
            ["data"] = data,
        };
    }

    private static JsonArray Flat(InputData input)
    {
        var flat = new InputData(input.Name, input.Type, [input.Values.Length], input.Values);
        return flat.ToJson().AsArray();
    }
}
