using CsCheck;
using Google.Protobuf;
using Inference;
using RecServe.Core.Signatures;
using RecServe.Protocol.Metadata;
using Tensorflow.Serving;

namespace RecServe.Cli.Fuzz;

/// <summary>
/// Generated gRPC calls for TF-Serving (<c>Predict</c>, <c>GetModelMetadata</c>, <c>GetModelStatus</c>) and KServe v2
/// (<c>ModelInfer</c>, <c>ModelMetadata</c>, <c>ModelReady</c>): messages from <see cref="FuzzPlanGen"/>, half of
/// them damaged at the byte level by <see cref="ProtoMutations"/>, plus a few calls of methods that do not exist.
/// </summary>
internal static class GrpcFuzzCases
{
    private static readonly string Predict = Name(PredictionService.Descriptor.FullName, "Predict");
    private static readonly string[] TfUnknown =
        [Name(PredictionService.Descriptor.FullName, "Classify"), Name(PredictionService.Descriptor.FullName, "Nope"), "/tensorflow.serving.Nope/Predict"];
    private static readonly string Infer = Name(GRPCInferenceService.Descriptor.FullName, "ModelInfer");
    private static readonly string[] KServeUnknown =
        [Name(GRPCInferenceService.Descriptor.FullName, "RepositoryIndex"), Name(GRPCInferenceService.Descriptor.FullName, "Nope"), "/inference.Nope/ModelInfer"];
    private static readonly string[] OddModels = ["", "nope", "x\0y", "模型", new string('m', 300)];

    /// <summary>TF-Serving calls for <paramref name="model"/>: mostly <c>Predict</c>, some metadata and status.</summary>
    public static Gen<FuzzRequest> TfServing(string model, ModelSignature signature) => Gen.Frequency(
        (85, FuzzPlanGen.For(model, signature).SelectMany(plan => Call(Predict, FuzzProtoEncoder.Predict(plan), plan.ToString(), plan.IsValid))),
        (6, Gen.SelectMany(Models(model), Versions, Gen.OneOf(SignatureDefEncoder.SignatureDefField, "", "nope"), (name, version, field) =>
            Call(Name(PredictionService.Descriptor.FullName, "GetModelMetadata"),
                new GetModelMetadataRequest { ModelSpec = new ModelSpec { Name = name, Version = version }, MetadataField = { field } },
                $"metadata of '{name}' v{version} field '{field}'", name == model && version is null && field == SignatureDefEncoder.SignatureDefField))),
        (6, Gen.SelectMany(Models(model), Versions, (name, version) =>
            Call(Name(ModelService.Descriptor.FullName, "GetModelStatus"), new GetModelStatusRequest { ModelSpec = new ModelSpec { Name = name, Version = version } },
                $"status of '{name}' v{version}", name == model && version is null))),
        (3, Unknown(TfUnknown, FuzzProtoEncoder.Predict(new FuzzPlan(model, null, null, [], [], "none")))));

    /// <summary>KServe v2 calls for <paramref name="model"/>: mostly <c>ModelInfer</c>, some metadata and readiness.</summary>
    public static Gen<FuzzRequest> KServe(string model, ModelSignature signature) => Gen.Frequency(
        (85, FuzzPlanGen.For(model, signature).SelectMany(plan => Call(Infer, FuzzProtoEncoder.Infer(plan), plan.ToString(), plan.IsValid))),
        (6, Gen.SelectMany(Models(model), Versions, (name, version) =>
            Call(Name(GRPCInferenceService.Descriptor.FullName, "ModelMetadata"), new ModelMetadataRequest { Name = name, Version = Text(version) },
                $"metadata of '{name}' v{version}", name == model && version is null))),
        (6, Gen.SelectMany(Models(model), Versions, (name, version) =>
            Call(Name(GRPCInferenceService.Descriptor.FullName, "ModelReady"), new ModelReadyRequest { Name = name, Version = Text(version) },
                $"readiness of '{name}' v{version}", name == model && version is null))),
        (1, Call(Name(GRPCInferenceService.Descriptor.FullName, "ServerMetadata"), new ServerMetadataRequest(), "server metadata", true)),
        (2, Unknown(KServeUnknown, new ModelReadyRequest { Name = model })));

    private static Gen<string> Models(string model) => Gen.Frequency((3, Gen.Const(model)), (1, Gen.OneOf(OddModels)));

    private static readonly Gen<long?> Versions = Gen.Frequency((4, Gen.Const((long?)null)), (1, Gen.OneOf<long?>(1, 0, -1, long.MaxValue)));

    private static string Text(long? version) => version?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;

    // Half the calls carry the message as encoded (valid or not by content), half damaged on the wire.
    private static Gen<FuzzRequest> Call(string method, IMessage message, string what, bool valid)
    {
        var bytes = message.ToByteArray();
        return Gen.Frequency(
            (1, Gen.Const(new FuzzRequest(FuzzRequest.Grpc, method, null, bytes, what, valid ? FuzzExpectation.Success : FuzzExpectation.ClientErrorOrSuccess))),
            (1, ProtoMutations.Mutate(bytes).Select(m => new FuzzRequest(FuzzRequest.Grpc, method, null, m.Bytes, m.What + " of " + what, FuzzExpectation.ClientErrorOrSuccess))));
    }

    private static Gen<FuzzRequest> Unknown(string[] methods, IMessage message) =>
        Gen.OneOf(methods).Select(method => new FuzzRequest(FuzzRequest.Grpc, method, null, message.ToByteArray(), "unknown method", FuzzExpectation.UnknownMethod));

    private static string Name(string service, string method) => "/" + service + "/" + method;
}
