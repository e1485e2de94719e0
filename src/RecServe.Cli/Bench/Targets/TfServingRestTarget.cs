using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using RecServe.Core.Signatures;
using RecServe.Core.Tensors;
using RecServe.Protocol.Metadata;
using Tensorflow.Serving;

namespace RecServe.Cli.Bench.Targets;

/// <summary>TF-Serving REST: <c>POST /v1/models/{m}[/versions/{v}]:predict</c> with a columnar <c>"inputs"</c> body.</summary>
internal sealed class TfServingRestTarget : IBenchTarget
{
    private static readonly JsonParser ProtoJson = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    private readonly TargetSettings _settings;
    private readonly JsonHttpClient _http;
    private readonly string _modelPath;
    private readonly Uri _predict;
    private byte[][] _payloads = [];

    /// <summary>Creates the target.</summary>
    public TfServingRestTarget(TargetSettings settings)
    {
        _settings = settings;
        _http = new JsonHttpClient(settings.Address, settings.Timeout);
        _modelPath = "/v1/models/" + Uri.EscapeDataString(settings.Model)
            + (settings.Version is { } v ? "/versions/" + v.ToString(CultureInfo.InvariantCulture) : string.Empty);
        _predict = new Uri(settings.Address, _modelPath + ":predict");
    }

    /// <inheritdoc />
    public string Description => $"rest {_settings.Address.Authority}";

    /// <inheritdoc />
    public async Task<ModelSignature> GetSignatureAsync(CancellationToken cancellationToken)
    {
        using var document = await _http.GetJsonAsync(_modelPath + "/metadata", cancellationToken).ConfigureAwait(false);
        // TF-Serving writes the SignatureDefMap inline as protobuf JSON: metadata.signature_def.signature_def.<name>.
        if (!document.RootElement.TryGetProperty("metadata", out var metadata)
            || !metadata.TryGetProperty(SignatureDefEncoder.SignatureDefField, out var signatures))
        {
            throw new InvalidOperationException($"GET {_modelPath}/metadata has no metadata.{SignatureDefEncoder.SignatureDefField}");
        }
        return SignatureDefReader.Read(ProtoJson.Parse<SignatureDefMap>(signatures.GetRawText()), _settings.Model);
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

    /// <summary>The columnar predict body: <c>{"inputs": {"name": [[...], ...], ...}}</c>.</summary>
    public static byte[] Encode(TensorSet request)
    {
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("inputs");
            foreach (var input in request.Items)
            {
                writer.WritePropertyName(input.Name);
                TensorJsonValues.WriteNested(writer, input.Tensor);
            }
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <inheritdoc />
    public ValueTask<string?> SendAsync(int request, int worker, CancellationToken cancellationToken) =>
        _http.PostAsync(_predict, _payloads[request], cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }
}
