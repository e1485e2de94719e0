using System.Globalization;
using System.Text;
using RecServe.Core.Errors;
using RecServe.Core.Signatures;
using RecServe.Core.Tensors;
using RecServe.Protocol.Json;
using RecServe.Protocol.KServe;

namespace RecServe.Protocol.Tests.Json;

/// <summary>
/// Both REST readers with lists of numbers read straight from the bytes against the same readers reading token by
/// token (the reference): on thousands of random requests, valid and damaged, they must give the same tensors or the
/// same error, word for word (the JSON reader's own errors quote line and byte position, so those must match too).
/// </summary>
public sealed class NumberListFastPathTests
{
    private const int RequestsPerFormat = 3000;

    private static readonly TensorDataType[] Types =
        [TensorDataType.Float32, TensorDataType.Float64, TensorDataType.Int32, TensorDataType.Int64, TensorDataType.Int8];

    private static readonly string[] Spaces = ["", "", "", " ", "\n", "\r\n  ", "\t"];

    // Numbers that each type reads differently or refuses: lossy, out of range, negative zero, exponent forms,
    // whole numbers beyond int64 (read as floats), strings for non-finite values, and wrong kinds of value.
    private static readonly string[] Specials =
    [
        "16777217", "9007199254740993", "-0", "-0.0", "0", "1e39", "-3.4028236e38", "3.4028235e38", "1e-46", "1e309",
        "99999999999999999999", "-9223372036854775808", "9223372036854775808", "2147483648", "-2147483649", "128",
        "1E5", "1.5e+3", "2.5E-3", "0.1", "\"NaN\"", "\"-Infinity\"", "true", "null", "\"7\"", "{\"b64\": \"AA==\"}", "[]",
    ];

    [Fact]
    public void TfColumnarRequestsReadAsTokenByToken()
    {
        var random = new Random(21);
        var fast = new PredictJsonRequestReader(PredictJsonRequestReader.DefaultMaxDepth, scanNumberLists: true);
        var reference = new PredictJsonRequestReader(PredictJsonRequestReader.DefaultMaxDepth, scanNumberLists: false);
        for (var i = 0; i < RequestsPerFormat; i++)
        {
            var (signature, xShape, yShape) = RandomSignature(random);
            var body = new StringBuilder("{\"inputs\":").Append(Space(random)).Append("{\"x\":").Append(Space(random));
            AppendList(body, random, signature.Inputs[0].DataType, xShape, 0);
            body.Append(',').Append(Space(random)).Append("\"y\":");
            AppendList(body, random, signature.Inputs[1].DataType, yShape, 0);
            body.Append(Space(random)).Append("}}");
            AssertSameOutcome(Damage(random, body.ToString()), b => fast.Read(b, signature).Inputs, b => reference.Read(b, signature).Inputs);
        }
    }

    [Fact]
    public void TfRowRequestsReadAsTokenByToken()
    {
        var random = new Random(22);
        var fast = new PredictJsonRequestReader(PredictJsonRequestReader.DefaultMaxDepth, scanNumberLists: true);
        var reference = new PredictJsonRequestReader(PredictJsonRequestReader.DefaultMaxDepth, scanNumberLists: false);
        for (var i = 0; i < RequestsPerFormat; i++)
        {
            var (signature, xShape, yShape) = RandomSignature(random);
            var body = new StringBuilder("{\"instances\":[");
            var rows = random.Next(1, 5);
            for (var row = 0; row < rows; row++)
            {
                body.Append(row == 0 ? "" : ",").Append(Space(random)).Append("{\"x\":");
                AppendList(body, random, signature.Inputs[0].DataType, xShape, 0);
                body.Append(",\"y\":").Append(Space(random));
                AppendList(body, random, signature.Inputs[1].DataType, yShape, 0);
                body.Append('}');
            }
            body.Append("]}");
            AssertSameOutcome(Damage(random, body.ToString()), b => fast.Read(b, signature).Inputs, b => reference.Read(b, signature).Inputs);
        }
    }

    [Fact]
    public void KServeRequestsReadAsTokenByToken()
    {
        var random = new Random(23);
        var fast = new InferJsonRequestReader(InferJsonRequestReader.DefaultMaxDepth, scanNumberLists: true);
        var reference = new InferJsonRequestReader(InferJsonRequestReader.DefaultMaxDepth, scanNumberLists: false);
        for (var i = 0; i < RequestsPerFormat; i++)
        {
            var body = new StringBuilder("{\"inputs\": [");
            var inputs = random.Next(1, 3);
            for (var k = 0; k < inputs; k++)
            {
                var type = Types[random.Next(Types.Length)];
                var shape = RandomShape(random);
                body.Append(k == 0 ? "" : ",").Append(Space(random))
                    .Append($"{{\"name\": \"in{k}\", \"datatype\": \"{KServeDataType.Name(type)}\", \"shape\": [{string.Join(", ", shape)}],{Space(random)}\"data\": ");
                AppendList(body, random, type, shape, 0);
                body.Append('}');
            }
            // The id after the data: the reader must still find its bytes in the body after skipping ahead.
            body.Append("],").Append(Space(random)).Append("\"id\": \"req-").Append(i).Append("\"}");
            AssertSameOutcome(Damage(random, body.ToString()), b => ReadKServe(fast, b), b => ReadKServe(reference, b));
        }
    }

    [Fact]
    public void ListsNestedUpToAndPastTheDepthLimitReadAsTokenByToken()
    {
        var signature = JsonTestSupport.Single(TensorDataType.Float32);
        for (var maxDepth = 2; maxDepth <= 6; maxDepth++)
        {
            var fast = new PredictJsonRequestReader(maxDepth, scanNumberLists: true);
            var reference = new PredictJsonRequestReader(maxDepth, scanNumberLists: false);
            for (var nesting = 1; nesting <= 7; nesting++)
            {
                var list = new string('[', nesting) + "1.5, 2" + new string(']', nesting);
                foreach (var body in new[] { $"{{\"inputs\": {list}}}", $"{{\"instances\": [{list}]}}", $"{{\"inputs\": {{\"x\": {list}}}}}" })
                {
                    AssertSameOutcome(Encoding.UTF8.GetBytes(body), b => fast.Read(b, signature).Inputs, b => reference.Read(b, signature).Inputs);
                }
            }
        }
    }

    [Fact]
    public void SyntaxErrorsAfterSkippedListsQuoteTheSameLineAndPosition()
    {
        var body = "{\"inputs\": {\"x\": [1.5,\n  2.5,\r\n 3],\n \"y\": [[4], [5]] x}";
        var signature = JsonTestSupport.Signature(new TensorSpec("x", TensorDataType.Float32, null), new TensorSpec("y", TensorDataType.Int64, null));
        var fast = Assert.Throws<ServingException>(() => new PredictJsonRequestReader().Read(Encoding.UTF8.GetBytes(body), signature)).Message;
        var reference = Assert.Throws<ServingException>(
            () => new PredictJsonRequestReader(PredictJsonRequestReader.DefaultMaxDepth, scanNumberLists: false).Read(Encoding.UTF8.GetBytes(body), signature)).Message;
        Assert.Equal(reference, fast);
        Assert.Contains("LineNumber: 3 | BytePositionInLine: 17", fast, StringComparison.Ordinal);
    }

    [Fact]
    public void KServeIdAfterTheDataIsReadFromItsOwnBytes()
    {
        using var request = new InferJsonRequestReader().Read(
            Encoding.UTF8.GetBytes("{\"inputs\": [{\"name\": \"a\", \"datatype\": \"FP32\", \"shape\": [2, 2], \"data\": [[1, 2.5], [3, -4e-1]]}], \"id\": \"abc\"}"));
        Assert.Equal("abc", request.Id);
        Assert.Equal([1f, 2.5f, 3f, -0.4f], request.Inputs["a"].AsSpan<float>().ToArray());
        Assert.Equal([2L, 2L], request.Inputs["a"].Shape);
    }

    private static Dictionary<string, Tensor> ReadKServe(InferJsonRequestReader reader, byte[] body)
    {
        using var request = reader.Read(body);
        var inputs = new Dictionary<string, Tensor>(request.Inputs);
        inputs["id"] = Tensor.FromStrings([1], [Encoding.UTF8.GetBytes(request.Id ?? "")]);
        request.Inputs.Clear();
        return inputs;
    }

    private static (ModelSignature Signature, long[] XShape, long[] YShape) RandomSignature(Random random)
    {
        var signature = JsonTestSupport.Signature(
            new TensorSpec("x", Types[random.Next(Types.Length)], null), new TensorSpec("y", Types[random.Next(Types.Length)], null));
        return (signature, RandomShape(random), RandomShape(random));
    }

    // Rank 1 to 3, mostly small sizes, now and then an empty dimension.
    private static long[] RandomShape(Random random)
    {
        var shape = new long[random.Next(1, 4)];
        for (var d = 0; d < shape.Length; d++)
        {
            shape[d] = random.Next(10) == 0 ? 0 : random.Next(1, 6);
        }
        return shape;
    }

    private static void AppendList(StringBuilder body, Random random, TensorDataType type, long[] shape, int level)
    {
        body.Append('[').Append(Space(random));
        // Now and then a ragged list: one element short.
        var count = shape[level] - (shape[level] > 1 && random.Next(200) == 0 ? 1 : 0);
        for (var i = 0; i < count; i++)
        {
            body.Append(i == 0 ? "" : ",").Append(Space(random));
            if (level + 1 < shape.Length)
            {
                AppendList(body, random, type, shape, level + 1);
            }
            else
            {
                body.Append(RandomNumber(random, type));
            }
            body.Append(Space(random));
        }
        body.Append(']');
    }

    private static string RandomNumber(Random random, TensorDataType type)
    {
        if (random.Next(100) == 0)
        {
            return Specials[random.Next(Specials.Length)];
        }
        if (type is TensorDataType.Float32 or TensorDataType.Float64)
        {
            var value = (random.NextDouble() * 2 - 1) * Math.Pow(10, random.Next(-12, 12));
            return random.Next(4) switch
            {
                0 => ((float)value).ToString("R", CultureInfo.InvariantCulture),
                1 => value.ToString("R", CultureInfo.InvariantCulture),
                2 => value.ToString("E", CultureInfo.InvariantCulture),
                _ => random.Next(-1000, 1000).ToString(CultureInfo.InvariantCulture),
            };
        }
        var bits = type switch { TensorDataType.Int8 => 7, TensorDataType.Int32 => 31, _ => 63 };
        return (random.NextInt64() >> (63 - random.Next(bits + 1)) * (random.Next(2) * 2 - 1)).ToString(CultureInfo.InvariantCulture);
    }

    // A third of the bodies get one byte replaced, removed or added, most often inside or right after a list.
    private static byte[] Damage(Random random, string body)
    {
        if (random.Next(3) != 0)
        {
            return Encoding.UTF8.GetBytes(body);
        }
        const string replacements = ",]}[x.-e+0 \n\"";
        var at = random.Next(body.Length);
        var replacement = replacements[random.Next(replacements.Length)].ToString();
        var damaged = random.Next(3) switch
        {
            0 => body.Remove(at, 1).Insert(at, replacement),
            1 => body.Remove(at, 1),
            _ => body.Insert(at, replacement),
        };
        return Encoding.UTF8.GetBytes(damaged);
    }

    private static string Space(Random random) => Spaces[random.Next(Spaces.Length)];

    private static void AssertSameOutcome(byte[] body, Func<byte[], Dictionary<string, Tensor>> fast, Func<byte[], Dictionary<string, Tensor>> reference)
    {
        var expected = Outcome(body, reference);
        var actual = Outcome(body, fast);
        Assert.True(expected == actual, $"body: {Encoding.UTF8.GetString(body)}\nreference: {expected}\nfast path: {actual}");
    }

    // The tensors (type, shape and bytes) or the error, as text that is equal exactly when the outcomes are.
    private static string Outcome(byte[] body, Func<byte[], Dictionary<string, Tensor>> read)
    {
        Dictionary<string, Tensor> inputs;
        try
        {
            inputs = read(body);
        }
        catch (ServingException error)
        {
            return $"error {error.Code}: {error.Message}";
        }
        var text = new StringBuilder();
        foreach (var (name, tensor) in inputs.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.Append(name).Append(' ').Append(tensor.DataType).Append(" [").Append(string.Join(",", tensor.Shape)).Append("] ");
            text.Append(tensor.DataType == TensorDataType.String
                ? string.Join("|", tensor.Strings.Select(Convert.ToBase64String))
                : Convert.ToHexString(tensor.Bytes)).Append('\n');
            tensor.Dispose();
        }
        return text.ToString();
    }
}
