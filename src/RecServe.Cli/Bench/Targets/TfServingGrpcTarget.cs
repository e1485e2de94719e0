using Google.Protobuf;
using Grpc.Core;
using RecServe.Core.Signatures;
using RecServe.Core.Tensors;
using RecServe.Protocol.Metadata;
using RecServe.Protocol.TensorProto;
using Tensorflow.Serving;

namespace RecServe.Cli.Bench.Targets;

/// <summary>TF-Serving gRPC: <c>PredictionService/Predict</c> with every input in <c>tensor_content</c>.</summary>
internal sealed class TfServingGrpcTarget : IBenchTarget
{
    private static readonly Method<byte[], byte[]> Predict = RawGrpc.Unary(PredictionService.Descriptor.FindMethodByName("Predict"));

    private readonly TargetSettings _settings;
    private readonly GrpcChannelSet _channels;
    private byte[][] _payloads = [];

    /// <summary>Creates the target; channels connect on first use.</summary>
    public TfServingGrpcTarget(TargetSettings settings)
    {
        _settings = settings;
        _channels = new GrpcChannelSet(settings.Address, settings.Connections);
    }

    /// <inheritdoc />
    public string Description => $"grpc {_settings.Address.Authority}";

    /// <inheritdoc />
    public async Task<ModelSignature> GetSignatureAsync(CancellationToken cancellationToken)
    {
        var client = new PredictionService.PredictionServiceClient(_channels.First);
        var request = new GetModelMetadataRequest { ModelSpec = Spec(), MetadataField = { SignatureDefEncoder.SignatureDefField } };
        var response = await client.GetModelMetadataAsync(request, deadline: DateTime.UtcNow + _settings.Timeout, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        if (!response.Metadata.TryGetValue(SignatureDefEncoder.SignatureDefField, out var packed))
        {
            throw new InvalidOperationException($"the metadata of model '{_settings.Model}' has no {SignatureDefEncoder.SignatureDefField}");
        }
        return SignatureDefReader.Read(packed.Unpack<SignatureDefMap>(), _settings.Model);
    }

    /// <inheritdoc />
    public void Prepare(IReadOnlyList<TensorSet> requests)
    {
        _payloads = new byte[requests.Count][];
        for (var i = 0; i < requests.Count; i++)
        {
            _payloads[i] = Encode(requests[i], Spec());
        }
    }

    /// <summary>The serialized <c>PredictRequest</c> for <paramref name="request"/>.</summary>
    public static byte[] Encode(TensorSet request, ModelSpec spec)
    {
        var message = new PredictRequest { ModelSpec = spec };
        foreach (var input in request.Items)
        {
            message.Inputs[input.Name] = TensorProtoEncoder.Encode(input.Tensor, TensorEncoding.TensorContent);
        }
        return message.ToByteArray();
    }

    /// <inheritdoc />
    public ValueTask<string?> SendAsync(int request, int worker, CancellationToken cancellationToken) =>
        RawGrpc.CallAsync(_channels.ForWorker(worker), Predict, _payloads[request], _settings.Timeout, cancellationToken);

    private ModelSpec Spec() => new() { Name = _settings.Model, Version = _settings.Version };

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _channels.Dispose();
        return ValueTask.CompletedTask;
    }
}
