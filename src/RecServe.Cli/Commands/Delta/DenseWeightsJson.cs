using System.Runtime.InteropServices;
using System.Text.Json;
using RecServe.Core.Tensors;
using RecServe.Embeddings.Deltas;

namespace RecServe.Cli.Commands.Delta;

/// <summary>
/// Reads the dense weights a delta replaces from JSON:
/// <c>{"fc.bias": {"dtype": "float32", "shape": [2], "values": [0.5, -1]}, ...}</c> (values flat, row-major;
/// dtype float32, float64, int32 or int64). The server checks names, types and shapes against the graph.
/// </summary>
internal static class DenseWeightsJson
{
    public static List<DenseWeightUpdate> Read(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{path}: expected an object of weight name -> {{dtype, shape, values}}");
        }
        var weights = new List<DenseWeightUpdate>();
        foreach (var weight in document.RootElement.EnumerateObject())
        {
            weights.Add(ReadWeight(path, weight.Name, weight.Value));
        }
        return weights;
    }

    private static DenseWeightUpdate ReadWeight(string path, string name, JsonElement weight)
    {
        try
        {
            var dtype = weight.GetProperty("dtype").GetString();
            var shape = weight.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            var values = weight.GetProperty("values");
            var expected = shape.Aggregate(1L, (product, dimension) => checked(product * dimension));
            if (values.GetArrayLength() != expected)
            {
                throw new InvalidDataException($"{path}: weight '{name}' has {values.GetArrayLength()} values, its shape [{string.Join(", ", shape)}] needs {expected}");
            }
            return dtype switch
            {
                "float32" => new(name, TensorDataType.Float32, shape, Bytes(values, v => v.GetSingle())),
                "float64" => new(name, TensorDataType.Float64, shape, Bytes(values, v => v.GetDouble())),
                "int32" => new(name, TensorDataType.Int32, shape, Bytes(values, v => v.GetInt32())),
                "int64" => new(name, TensorDataType.Int64, shape, Bytes(values, v => v.GetInt64())),
                _ => throw new InvalidDataException($"{path}: weight '{name}' has dtype '{dtype}' (expected float32, float64, int32 or int64)"),
            };
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or OverflowException)
        {
            throw new InvalidDataException($"{path}: weight '{name}' needs dtype, shape (numbers) and values (numbers): {e.Message}", e);
        }
    }

    private static byte[] Bytes<T>(JsonElement values, Func<JsonElement, T> read) where T : unmanaged =>
        MemoryMarshal.AsBytes<T>(values.EnumerateArray().Select(read).ToArray()).ToArray();
}
