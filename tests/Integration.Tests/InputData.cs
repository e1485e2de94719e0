using System.Text.Json.Nodes;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Tensorflow;

namespace Integration.Tests;

/// <summary>Random values for one model input, convertible to ORT, TensorProto and REST JSON.</summary>
internal sealed record InputData(string Name, TensorElementType Type, long[] Shape, Array Values)
{
    public static InputData Random(string name, NodeMetadata meta, int batch, Random random)
    {
        var shape = meta.Dimensions.Select((d, i) => d < 0 ? (i == 0 ? batch : 2) : (long)d).ToArray();
        var count = (int)shape.Aggregate(1L, (a, b) => a * b);
        Array values = meta.ElementDataType switch
        {
            TensorElementType.Float => Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray(),
            TensorElementType.Double => Enumerable.Range(0, count).Select(_ => random.NextDouble() * 4 - 2).ToArray(),
            TensorElementType.Float16 => Enumerable.Range(0, count).Select(_ => (Half)(random.Next(-64, 64) / 8.0)).ToArray(),
            TensorElementType.Int64 => Enumerable.Range(0, count).Select(_ => (long)random.Next(0, 40)).ToArray(),
            TensorElementType.Int32 => Enumerable.Range(0, count).Select(_ => random.Next(-1000, 1000)).ToArray(),
            TensorElementType.Bool => Enumerable.Range(0, count).Select(_ => random.Next(2) == 1).ToArray(),
            TensorElementType.String => Enumerable.Range(0, count).Select(i => i % 3 == 0 ? "" : $"text-{random.Next(1000)}-é").ToArray(),
            _ => throw new InvalidOperationException("unsupported fixture type " + meta.ElementDataType),
        };
        return new InputData(name, meta.ElementDataType, shape, values);
    }

    public OrtValue ToOrtValue() => Values switch
    {
        float[] f => OrtValue.CreateTensorValueFromMemory(f, Shape),
        double[] d => OrtValue.CreateTensorValueFromMemory(d, Shape),
        Half[] h => OrtValue.CreateTensorValueFromMemory(h.Select(v => new Float16(BitConverter.HalfToUInt16Bits(v))).ToArray(), Shape),
        long[] l => OrtValue.CreateTensorValueFromMemory(l, Shape),
        int[] i => OrtValue.CreateTensorValueFromMemory(i, Shape),
        bool[] b => OrtValue.CreateTensorValueFromMemory(b, Shape),
        string[] s => StringValue(s),
        _ => throw new InvalidOperationException(),
    };

    private OrtValue StringValue(string[] strings)
    {
        var value = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, Shape);
        for (var i = 0; i < strings.Length; i++)
        {
            value.StringTensorSetElementAt(strings[i].AsSpan(), i);
        }
        return value;
    }

    public TensorProto ToProto(bool content) => Values switch
    {
        float[] f => Protos.Floats(f, Shape, content),
        double[] d => Protos.Doubles(d, Shape, content),
        Half[] h => Protos.Halves(h, Shape, content),
        long[] l => Protos.Int64s(l, Shape, content),
        int[] i => Protos.Int32s(i, Shape, content),
        bool[] b => Protos.Bools(b, Shape, content),
        string[] s => Protos.Strings(s, Shape),
        _ => throw new InvalidOperationException(),
    };

    /// <summary>The whole tensor as nested JSON lists (columnar format).</summary>
    public JsonNode ToJson() => Nest(0, 0, Shape.Length);

    /// <summary>Row <paramref name="row"/> of the tensor as JSON (row format).</summary>
    public JsonNode RowJson(int row)
    {
        var rowSize = (int)Shape.Skip(1).Aggregate(1L, (a, b) => a * b);
        return Nest(row * rowSize, 1, Shape.Length);
    }

    private JsonNode Nest(int offset, int dim, int rank)
    {
        if (dim == rank)
        {
            return Element(offset);
        }
        var array = new JsonArray();
        var stride = (int)Shape.Skip(dim + 1).Aggregate(1L, (a, b) => a * b);
        for (var i = 0; i < Shape[dim]; i++)
        {
            array.Add(Nest(offset + i * stride, dim + 1, rank));
        }
        return array;
    }

    private JsonNode Element(int index) => Values switch
    {
        float[] f => JsonValue.Create(f[index]),
        double[] d => JsonValue.Create(d[index]),
        Half[] h => JsonValue.Create((double)h[index]),
        long[] l => JsonValue.Create(l[index]),
        int[] i => JsonValue.Create(i[index]),
        bool[] b => JsonValue.Create(b[index]),
        string[] s => JsonValue.Create(s[index]),
        _ => throw new InvalidOperationException(),
    };
}
