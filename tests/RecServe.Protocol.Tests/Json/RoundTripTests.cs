using System.Text;
using RecServe.Core.Signatures;
using RecServe.Core.Tensors;
using RecServe.Protocol.Json;
using static RecServe.Protocol.Tests.Json.JsonTestSupport;

namespace RecServe.Protocol.Tests.Json;

/// <summary>
/// Responses written and then read back as requests (renaming the top key) give the same tensors, bit for bit.
/// Non-finite floats are left out: the writer emits TF-Serving's bare NaN tokens, which standard JSON readers refuse.
/// </summary>
public sealed class RoundTripTests
{
    private static PredictJsonRequest RoundTrip(PredictJsonFormat format, params (string Name, Tensor Tensor)[] outputs)
    {
        var json = Write(format, outputs);
        var (from, to) = format == PredictJsonFormat.Row ? ("{\"predictions\":", "{\"instances\":") : ("{\"outputs\":", "{\"inputs\":");
        Assert.StartsWith(from, json);
        var specs = new TensorSpec[outputs.Length];
        for (var i = 0; i < outputs.Length; i++)
        {
            specs[i] = new TensorSpec(outputs[i].Name, outputs[i].Tensor.DataType, null);
        }
        return Read(to + json[from.Length..], Signature(specs));
    }

    private static void AssertSameTensor(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.DataType, actual.DataType);
        Assert.Equal(expected.Shape, actual.Shape);
        if (expected.DataType == TensorDataType.String)
        {
            Assert.Equal(expected.Strings, actual.Strings);
        }
        else
        {
            Assert.True(expected.Bytes.SequenceEqual(actual.Bytes), $"{expected.DataType.DisplayName()} values differ");
        }
    }

    public static TheoryData<string> Types => new() { "float32", "float64", "float16", "int8", "uint8", "int32", "int64", "bool", "string", "bytes" };

    private static (string Name, Tensor Tensor) Sample(string type, long rows)
    {
        var random = new Random(17);
        var count = (int)(rows * 3);
        long[] shape = [rows, 3];
        switch (type)
        {
            case "float32":
                return ("f32", Tensor.FromValues<float>(TensorDataType.Float32, shape, Fill(count, i => (float)(random.NextDouble() * 2e6 - 1e6) / (i + 1))));
            case "float64":
                return ("f64", Tensor.FromValues<double>(TensorDataType.Float64, shape, Fill(count, i => (random.NextDouble() - 0.5) * Math.Pow(10, i % 40 - 20))));
            case "float16":
                return ("f16", Tensor.FromValues<Half>(TensorDataType.Float16, shape, Fill(count, i => (Half)(random.NextDouble() * 100 - 50))));
            case "int8":
                return ("i8", Tensor.FromValues<sbyte>(TensorDataType.Int8, shape, Fill(count, i => (sbyte)random.Next(-128, 128))));
            case "uint8":
                return ("u8", Tensor.FromValues<byte>(TensorDataType.UInt8, shape, Fill(count, i => (byte)random.Next(0, 256))));
            case "int32":
                return ("i32", Tensor.FromValues<int>(TensorDataType.Int32, shape, Fill(count, i => random.Next(int.MinValue, int.MaxValue))));
            case "int64":
                return ("i64", Tensor.FromValues<long>(TensorDataType.Int64, shape, Fill(count, i => random.NextInt64(long.MinValue, long.MaxValue))));
            case "bool":
                return ("flag", Tensor.FromValues<byte>(TensorDataType.Bool, shape, Fill(count, i => (byte)random.Next(0, 2))));
            case "string":
                return ("label", Tensor.FromStrings(shape, Fill(count, i => Encoding.UTF8.GetBytes($"label \"{i}\" é\n"))));
            default:
                return ("blob_bytes", Tensor.FromStrings(shape, Fill(count, i =>
                {
                    var bytes = new byte[i % 7];
                    random.NextBytes(bytes);
                    return bytes;
                })));
        }
    }

    private static T[] Fill<T>(int count, Func<int, T> make)
    {
        var values = new T[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = make(i);
        }
        return values;
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void ColumnarRoundTripKeepsEveryType(string type)
    {
        var (name, tensor) = Sample(type, 4);
        using (tensor)
        {
            using var request = RoundTrip(PredictJsonFormat.Columnar, (name, tensor));

            AssertSameTensor(tensor, request.Inputs[name]);
        }
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void RowRoundTripKeepsEveryType(string type)
    {
        var (name, tensor) = Sample(type, 5);
        using (tensor)
        {
            using var request = RoundTrip(PredictJsonFormat.Row, (name, tensor));

            AssertSameTensor(tensor, request.Inputs[name]);
        }
    }

    [Fact]
    public void RowRoundTripWithSeveralOutputsKeepsEachOne()
    {
        var outputs = new (string Name, Tensor Tensor)[] { Sample("float32", 3), Sample("int64", 3), Sample("bytes", 3), Sample("bool", 3) };
        try
        {
            using var request = RoundTrip(PredictJsonFormat.Row, outputs);

            Assert.Equal(outputs.Length, request.Inputs.Count);
            foreach (var (name, tensor) in outputs)
            {
                AssertSameTensor(tensor, request.Inputs[name]);
            }
        }
        finally
        {
            foreach (var (_, tensor) in outputs)
            {
                tensor.Dispose();
            }
        }
    }

    [Fact]
    public void EveryFiniteFloat16RoundTripsExactly()
    {
        var values = new List<Half>();
        for (var bits = 0; bits <= ushort.MaxValue; bits++)
        {
            var value = BitConverter.UInt16BitsToHalf((ushort)bits);
            if (Half.IsFinite(value))
            {
                values.Add(value);
            }
        }
        using var tensor = Tensor.FromValues<Half>(TensorDataType.Float16, [values.Count], values.ToArray());

        using var request = RoundTrip(PredictJsonFormat.Columnar, ("h", tensor));

        AssertSameTensor(tensor, request.Inputs["h"]);
    }

    [Fact]
    public void ExtremeFloatsRoundTripExactly()
    {
        float[] floats = [float.MaxValue, float.MinValue, float.Epsilon, -float.Epsilon, 1.17549435E-38f, 16777216f, -0f, 0.1f, 1e-10f];
        double[] doubles = [double.MaxValue, double.MinValue, double.Epsilon, 2.2250738585072014E-308, 9007199254740992d, -0d, 0.1, 1e-300];
        using var f = Tensor.FromValues<float>(TensorDataType.Float32, [floats.Length], floats);
        using var d = Tensor.FromValues<double>(TensorDataType.Float64, [doubles.Length], doubles);

        using var request = RoundTrip(PredictJsonFormat.Columnar, ("f", f), ("d", d));

        AssertSameTensor(f, request.Inputs["f"]);
        AssertSameTensor(d, request.Inputs["d"]);
    }
}
