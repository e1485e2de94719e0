using System.Buffers;
using System.Text;
using RecServe.Core.Errors;
using RecServe.Core.Signatures;
using RecServe.Core.Tensors;
using RecServe.Protocol.Json;

namespace RecServe.Protocol.Tests.Json;

/// <summary>Builders and shorthands shared by the JSON codec tests.</summary>
internal static class JsonTestSupport
{
    public static ModelSignature Signature(params TensorSpec[] inputs)
        => new(inputs, [new TensorSpec("y", TensorDataType.Float32, [-1])]);

    public static ModelSignature Single(TensorDataType type, long[]? shape = null)
        => Signature(new TensorSpec("x", type, shape));

    public static PredictJsonRequest Read(string json, ModelSignature signature, int maxDepth = PredictJsonRequestReader.DefaultMaxDepth)
        => new PredictJsonRequestReader(maxDepth).Read(Encoding.UTF8.GetBytes(json), signature);

    /// <summary>Asserts that reading fails with INVALID_ARGUMENT and returns the exception.</summary>
    public static ServingException ReadError(string json, ModelSignature signature, int maxDepth = PredictJsonRequestReader.DefaultMaxDepth)
    {
        var error = Assert.Throws<ServingException>(() => Read(json, signature, maxDepth).Dispose());
        Assert.Equal(ServingErrorCode.InvalidArgument, error.Code);
        return error;
    }

    public static string Write(PredictJsonFormat format, params (string Name, Tensor Tensor)[] outputs)
    {
        var list = new List<NamedTensor>();
        foreach (var (name, tensor) in outputs)
        {
            list.Add(new NamedTensor(name, tensor));
        }
        var buffer = new ArrayBufferWriter<byte>();
        PredictJsonResponseWriter.Write(buffer, format, list);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static T[] Values<T>(Tensor tensor) where T : unmanaged => tensor.AsSpan<T>().ToArray();

    public static string[] Texts(Tensor tensor)
    {
        var strings = tensor.Strings;
        var texts = new string[strings.Length];
        for (var i = 0; i < texts.Length; i++)
        {
            texts[i] = Encoding.UTF8.GetString(strings[i]);
        }
        return texts;
    }

    public static Tensor Floats(long[] shape, params float[] values) => Tensor.FromValues<float>(TensorDataType.Float32, shape, values);

    public static Tensor Strings(long[] shape, params string[] values)
    {
        var bytes = new byte[values.Length][];
        for (var i = 0; i < values.Length; i++)
        {
            bytes[i] = Encoding.UTF8.GetBytes(values[i]);
        }
        return Tensor.FromStrings(shape, bytes);
    }
}
