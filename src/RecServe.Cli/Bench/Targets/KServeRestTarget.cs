using System.Buffers;
using System.Globalization;
using System.Text.Json;
using RecServe.Core.Signatures;
using RecServe.Core.Tensors;

namespace RecServe.Cli.Bench.Targets;

/// <summary>KServe v2 REST: <c>POST /v2/models/{m}[/versions/{v}]/infer</c> with JSON tensors (flat <c>data</c>).</summary>
internal sealed class KServeRestTarget : IBenchTarget
{
    private readonly TargetSettings _settings;
    private readonly JsonHttpClient _http;
    private readonly string _modelPath;
    private readonly Uri _infer;
    private byte[][] _payloads = [];

    /// <summary>Creates the target.</summary>
    public KServeRestTarget(TargetSettings settings)
    {
        _settings = settings;
        _http = new JsonHttpClient(settings.Address, settings.Timeout);
        _modelPath = "/v2/models/" + Uri.EscapeDataString(settings.Model)
            + (settings.Version is { } v ? "/versions/" + v.ToString(CultureInfo.InvariantCulture) : string.Empty);
        _infer = new Uri(settings.Address, _modelPath + "/infer");
    }

    /// <inheritdoc />
    public string Description => $"kserve-rest {_settings.Address.Authority}";

    /// <inheritdoc />
    public async Task<ModelSignature> GetSignatureAsync(CancellationToken cancellationToken)
    {
        using var document = await _http.GetJsonAsync(_modelPath, cancellationToken).ConfigureAwait(false);
        var root = document.RootElement;
        return KServeDataTypes.Signature(Tensors(root, "inputs"), Tensors(root, "outputs"));
    }

    private static List<KServeDataTypes.TensorMetadata> Tensors(JsonElement model, string key)
    {
        var tensors = new List<KServeDataTypes.TensorMetadata>();
        if (!model.TryGetProperty(key, out var list))
        {
            return tensors;
        }
        foreach (var tensor in list.EnumerateArray())
        {
            var shape = tensor.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            tensors.Add(new KServeDataTypes.TensorMetadata(
                tensor.GetProperty("name").GetString() ?? string.Empty,
                tensor.GetProperty("datatype").GetString() ?? string.Empty,
                shape));
        }
        return tensors;
    }

    /// <inheritdoc />
    public void Prepare(IReadOnlyList<TensorSet> requests)
    {
        _payloads = new byte[requests.Count][];
        for (var i = 0; i < requests.Count; i++)
        {
            _payloads[i] = Encode(requests[i]);
        }
    }

    /// <summary>The v2 infer body: <c>{"inputs": [{"name", "shape", "datatype", "data": [flat]}]}</c>.</summary>
    public static byte[] Encode(TensorSet request)
    {
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("inputs");
            foreach (var input in request.Items)
            {
                writer.WriteStartObject();
                writer.WriteString("name", input.Name);
                writer.WriteStartArray("shape");
                foreach (var dim in input.Tensor.Shape)
                {
                    writer.WriteNumberValue(dim);
                }
                writer.WriteEndArray();
                writer.WriteString("datatype", KServeDataTypes.Name(input.Tensor.DataType));
                writer.WritePropertyName("data");
                TensorJsonValues.WriteFlat(writer, input.Tensor);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <inheritdoc />
    public ValueTask<string?> SendAsync(int request, int worker, CancellationToken cancellationToken) =>
        _http.PostAsync(_infer, _payloads[request], cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }
}
