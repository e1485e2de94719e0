using Google.Protobuf;
using RecServe.Import.Onnx.Proto;

namespace RecServe.Import.Onnx;

/// <summary>Reads and writes ONNX model files as <see cref="ModelProto"/>, keeping fields this code does not model.</summary>
public static class OnnxModelFile
{
    // Exported graphs nest Loop/If bodies; protobuf's default of 100 levels is enough for any model seen so far,
    // but a deep model must fail with a clear message rather than a stack overflow, so the limit is explicit.
    private const int RecursionLimit = 200;

    /// <summary>Parses the model at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not an ONNX model.</exception>
    public static ModelProto Load(string path)
    {
        using var stream = File.OpenRead(path);
        try
        {
            var model = ModelProto.Parser.ParseFrom(CodedInputStream.CreateWithLimits(stream, int.MaxValue, RecursionLimit));
            if (model.Graph is null)
            {
                throw new InvalidDataException($"{path} is not an ONNX model: it has no graph");
            }
            return model;
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"{path} is not an ONNX model: {e.Message}", e);
        }
    }

    /// <summary>Parses a model held in memory.</summary>
    public static ModelProto Parse(ReadOnlySpan<byte> bytes) => ModelProto.Parser.ParseFrom(bytes);

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/>, replacing any file there.</summary>
    public static void Save(ModelProto model, string path)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        model.WriteTo(file);
        file.Flush(flushToDisk: true);
    }
}
