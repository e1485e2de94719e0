using System.Buffers;
using System.Text;
using Google.Protobuf;
using Inference;
using RecServe.Core.Errors;
using RecServe.Core.Tensors;
using RecServe.Protocol.KServe;

namespace RecServe.Protocol.Tests.KServe;

/// <summary>Builders and shorthands shared by the KServe codec tests.</summary>
internal static class KServeTestSupport
{
    /// <summary>Asserts that <paramref name="action"/> fails with INVALID_ARGUMENT and returns the message.</summary>
    public static string InvalidArgument(Action action)
    {
        var error = Assert.Throws<ServingException>(action);
        Assert.Equal(ServingErrorCode.InvalidArgument, error.Code);
        return error.Message;
    }

    public static ModelInferRequest.Types.InferInputTensor Input(string name, string datatype, params long[] shape)
    {
        var input = new ModelInferRequest.Types.InferInputTensor { Name = name, Datatype = datatype };
        input.Shape.Add(shape);
        return input;
    }

    public static ByteString LengthPrefixed(params string[] values)
    {
        var bytes = new List<byte>();
        foreach (var value in values)
        {
            var utf8 = Encoding.UTF8.GetBytes(value);
            bytes.AddRange(BitConverter.GetBytes(utf8.Length));
            bytes.AddRange(utf8);
        }
        return ByteString.CopyFrom(bytes.ToArray());
    }

    public static DecodedInferRequest ReadJson(string json) => new InferJsonRequestReader().Read(Encoding.UTF8.GetBytes(json));

    public static string ReadJsonError(string json) => InvalidArgument(() => ReadJson(json).Dispose());

    public static string WriteJson(string? id, params (string Name, Tensor Tensor)[] outputs)
    {
        var list = new List<NamedTensor>();
        foreach (var (name, tensor) in outputs)
        {
            list.Add(new NamedTensor(name, tensor));
        }
        var buffer = new ArrayBufferWriter<byte>();
        InferJsonResponseWriter.Write(buffer, "m", 3, id, list);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static string[] Texts(Tensor tensor) => tensor.Strings.Select(s => Encoding.UTF8.GetString(s)).ToArray();
}
