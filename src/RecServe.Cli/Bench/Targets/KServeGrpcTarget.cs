using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using Inference;
using RecServe.Core.Signatures;
using RecServe.Core.Tensors;

namespace RecServe.Cli.Bench.Targets;

/// <summary>KServe v2 gRPC: <c>GRPCInferenceService/ModelInfer</c> with every input in <c>raw_input_contents</c>.</summary>
internal sealed class KServeGrpcTarget : IBenchTarget
{
    private static readonly Method<byte[], byte[]> ModelInfer = RawGrpc.Unary(GRPCInferenceService.Descriptor.FindMethodByName("ModelInfer"));

    private readonly TargetSettings _settings;
    private readonly GrpcChannelSet _channels;
    private readonly string _version;
    private byte[][] _payloads = [];

    /// <summary>Creates the target; channels connect on first use.</summary>
    public KServeGrpcTarget(TargetSettings settings)
    {
        _settings = settings;
        _channels = new GrpcChannelSet(settings.Address, settings.Connections);
        _version = settings.Version?.ToString(CultureInfo.InvariantCulture) ?? string.Empty;
    }

    /// <inheritdoc />
    public string Description => $"kserve-grpc {_settings.Address.Authority}";

    /// <inheritdoc />
    public async Task<ModelSignature> GetSignatureAsync(CancellationToken cancellationToken)
    {
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(_channels.First);
        var response = await client.ModelMetadataAsync(
            new ModelMetadataRequest { Name = _settings.Model, Version = _version },
            deadline: DateTime.UtcNow + _settings.Timeout,
            cancellationToken: cancellationToken).ConfigureAwait(false);
        return KServeDataTypes.Signature(
            response.Inputs.Select(t => new KServeDataTypes.TensorMetadata(t.Name, t.Datatype, t.Shape.ToArray())),
            response.Outputs.Select(t => new KServeDataTypes.TensorMetadata(t.Name, t.Datatype, t.Shape.ToArray())));
    }

    /// <inheritdoc />
    public void Prepare(IReadOnlyList<TensorSet> requests)
    {
        _payloads = new byte[requests.Count][];
        for (var i = 0; i < requests.Count; i++)
        {
            _payloads[i] = Encode(requests[i], _settings.Model, _version);
        }
    }

    /// <summary>The serialized <c>ModelInferRequest</c> for <paramref name="request"/>; <paramref name="version"/> empty for the server's pick.</summary>
    public static byte[] Encode(TensorSet request, string model, string version)
    {
        var message = new ModelInferRequest { ModelName = model, ModelVersion = version };
        foreach (var input in request.Items)
        {
            var tensor = input.Tensor;
            if (tensor.DataType == TensorDataType.String)
            {
                throw new ArgumentException($"input '{input.Name}' is a string tensor; kserve-grpc bench sends raw fixed-size inputs only");
            }
            var metadata = new ModelInferRequest.Types.InferInputTensor { Name = input.Name, Datatype = KServeDataTypes.Name(tensor.DataType) };
            metadata.Shape.Add(tensor.Shape);
            message.Inputs.Add(metadata);
            message.RawInputContents.Add(ByteString.CopyFrom(tensor.Bytes));
        }
        return message.ToByteArray();
    }

    /// <inheritdoc />
    public ValueTask<string?> SendAsync(int request, int worker, CancellationToken cancellationToken) =>
        RawGrpc.CallAsync(_channels.ForWorker(worker), ModelInfer, _payloads[request], _settings.Timeout, cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _channels.Dispose();
        return ValueTask.CompletedTask;
    }
}
