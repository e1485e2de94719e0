using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using RecServe.Core.Signatures;
using RecServe.Core.Tensors;
using RecServe.Protocol.Json;
using RecServe.Protocol.KServe;

namespace RecServe.Bench;

/// <summary>
/// The REST readers alone, body bytes to kept input tensors, on a DLRM-shaped request of 256 rows (13 dense floats,
/// 4 sparse features of 4 int64 ids per row, as clients write them: floats in shortest round-trip form): TF-Serving
/// REST in row (<c>instances</c>) and columnar (<c>inputs</c>) format, and KServe v2 REST with flat <c>data</c>.
/// Number parsing is most of the work, so this is where a faster number reader shows.
/// </summary>
[MemoryDiagnoser]
public class JsonRequestParseBenchmarks
{
    private const int Rows = 256;
    private const int DenseWidth = 13;
    private const int IdsPerRow = 4;
    private static readonly string[] SparseNames = ["cat_0", "cat_1", "cat_2", "cat_3"];

    private readonly PredictJsonRequestReader _predictReader = new();
    private readonly InferJsonRequestReader _inferReader = new();
    private readonly InputTensorBuffers _buffers = new();
    private ModelSignature _signature = null!;
    private byte[] _rowBody = [];
    private byte[] _columnarBody = [];
    private byte[] _kserveBody = [];

    /// <summary>Makes the three bodies from the same random values.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        var dense = new float[Rows * DenseWidth];
        for (var i = 0; i < dense.Length; i++)
        {
            dense[i] = (float)random.NextDouble();
        }
        var ids = new long[SparseNames.Length][];
        for (var f = 0; f < ids.Length; f++)
        {
            ids[f] = new long[Rows * IdsPerRow];
            for (var i = 0; i < ids[f].Length; i++)
            {
                ids[f][i] = random.Next(1_000_000);
            }
        }
        var inputs = new List<TensorSpec> { new("dense", TensorDataType.Float32, [-1, DenseWidth]) };
        foreach (var name in SparseNames)
        {
            inputs.Add(new TensorSpec(name, TensorDataType.Int64, [-1, IdsPerRow]));
        }
        _signature = new ModelSignature(inputs, [new TensorSpec("y", TensorDataType.Float32, [-1])]);
        _rowBody = RowBody(dense, ids);
        _columnarBody = ColumnarBody(dense, ids);
        _kserveBody = KServeBody(dense, ids);
        Console.WriteLine($"// body bytes: row {_rowBody.Length}, columnar {_columnarBody.Length}, kserve {_kserveBody.Length}");
    }

    /// <summary>TF-Serving REST, <c>{"instances": [{"dense": [...], "cat_0": [...], ...}, ...]}</c>.</summary>
    [Benchmark]
    public int TfRestRowJson() => ReadPredict(_rowBody);

    /// <summary>TF-Serving REST, <c>{"inputs": {"dense": [[...], ...], "cat_0": [[...], ...], ...}}</c>.</summary>
    [Benchmark]
    public int TfRestColumnarJson() => ReadPredict(_columnarBody);

    /// <summary>KServe v2 REST, <c>{"id", "inputs": [{"name", "datatype", "shape", "data": [flat]}, ...]}</c>.</summary>
    [Benchmark]
    public int KServeRestJson()
    {
        try
        {
            _inferReader.ReadInto(_kserveBody, _signature, _buffers);
            return _buffers.Count;
        }
        finally
        {
            _buffers.Clear();
        }
    }

    private int ReadPredict(byte[] body)
    {
        try
        {
            _predictReader.ReadInto(body, _signature, _buffers);
            return _buffers.Count;
        }
        finally
        {
            _buffers.Clear();
        }
    }

    private static byte[] RowBody(float[] dense, long[][] ids)
    {
        var body = new StringBuilder("{\"instances\":[");
        for (var row = 0; row < Rows; row++)
        {
            body.Append(row == 0 ? "{" : ",{").Append("\"dense\":");
            AppendList(body, dense.AsSpan(row * DenseWidth, DenseWidth));
            for (var f = 0; f < SparseNames.Length; f++)
            {
                body.Append(",\"").Append(SparseNames[f]).Append("\":");
                AppendList(body, ids[f].AsSpan(row * IdsPerRow, IdsPerRow));
            }
            body.Append('}');
        }
        return Encoding.UTF8.GetBytes(body.Append("]}").ToString());
    }

    private static byte[] ColumnarBody(float[] dense, long[][] ids)
    {
        var body = new StringBuilder("{\"inputs\":{\"dense\":");
        AppendMatrix(body, dense, DenseWidth);
        for (var f = 0; f < SparseNames.Length; f++)
        {
            body.Append(",\"").Append(SparseNames[f]).Append("\":");
            AppendMatrix(body, ids[f], IdsPerRow);
        }
        return Encoding.UTF8.GetBytes(body.Append("}}").ToString());
    }

    private static byte[] KServeBody(float[] dense, long[][] ids)
    {
        var body = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(body))
        {
            writer.WriteStartObject();
            writer.WriteString("id", "bench-1");
            writer.WriteStartArray("inputs");
            WriteInput(writer, "dense", "FP32", DenseWidth, w => Array.ForEach(dense, v => w.WriteNumberValue(v)));
            for (var f = 0; f < SparseNames.Length; f++)
            {
                var values = ids[f];
                WriteInput(writer, SparseNames[f], "INT64", IdsPerRow, w => Array.ForEach(values, v => w.WriteNumberValue(v)));
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return body.WrittenSpan.ToArray();
    }

    private static void WriteInput(Utf8JsonWriter writer, string name, string datatype, int width, Action<Utf8JsonWriter> writeData)
    {
        writer.WriteStartObject();
        writer.WriteString("name", name);
        writer.WriteString("datatype", datatype);
        writer.WriteStartArray("shape");
        writer.WriteNumberValue(Rows);
        writer.WriteNumberValue(width);
        writer.WriteEndArray();
        writer.WriteStartArray("data");
        writeData(writer);
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void AppendMatrix<T>(StringBuilder body, T[] values, int width) where T : IFormattable
    {
        body.Append('[');
        for (var row = 0; row < Rows; row++)
        {
            body.Append(row == 0 ? "" : ",");
            AppendList(body, values.AsSpan(row * width, width));
        }
        body.Append(']');
    }

    private static void AppendList<T>(StringBuilder body, Span<T> values) where T : IFormattable
    {
        body.Append('[');
        for (var i = 0; i < values.Length; i++)
        {
            body.Append(i == 0 ? "" : ",").Append(values[i].ToString(null, CultureInfo.InvariantCulture));
        }
        body.Append(']');
    }
}
