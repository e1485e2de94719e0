using CsCheck;
using Google.Protobuf;
using RecServe.Cli.Bench;
using RecServe.Core.Signatures;

namespace RecServe.Cli.Fuzz;

/// <summary>The generator of requests for each API, and the fixed valid requests checked before and after a run.</summary>
internal static class FuzzCases
{
    /// <summary>Generated requests (most malformed) for <paramref name="api"/> against <paramref name="model"/>.</summary>
    public static Gen<FuzzRequest> For(BenchApi api, string model, ModelSignature signature) => api switch
    {
        BenchApi.Grpc => GrpcFuzzCases.TfServing(model, signature),
        BenchApi.Rest => RestFuzzCases.TfServing(model, signature),
        BenchApi.KServeGrpc => GrpcFuzzCases.KServe(model, signature),
        BenchApi.KServeRest => RestFuzzCases.KServe(model, signature),
        _ => throw new ArgumentOutOfRangeException(nameof(api), api, "fuzzing needs a server API"),
    };

    /// <summary><paramref name="count"/> valid predict requests, the same for the same arguments.</summary>
    public static FuzzRequest[] Good(BenchApi api, string model, ModelSignature signature, int count)
    {
        var plans = FuzzPlanGen.Valid(model, signature);
        var requests = new FuzzRequest[count];
        for (var i = 0; i < count; i++)
        {
            var plan = plans.Generate(new PCG((uint)i, 42), null!, out _);
            requests[i] = api switch
            {
                BenchApi.Grpc => new FuzzRequest(FuzzRequest.Grpc, "/" + Tensorflow.Serving.PredictionService.Descriptor.FullName + "/Predict", null,
                    FuzzProtoEncoder.Predict(plan).ToByteArray(), "good " + plan, FuzzExpectation.Success),
                BenchApi.KServeGrpc => new FuzzRequest(FuzzRequest.Grpc, "/" + Inference.GRPCInferenceService.Descriptor.FullName + "/ModelInfer", null,
                    FuzzProtoEncoder.Infer(plan).ToByteArray(), "good " + plan, FuzzExpectation.Success),
                BenchApi.Rest => new FuzzRequest("POST", "/v1/models/" + Uri.EscapeDataString(model) + ":predict", "application/json",
                    FuzzJsonEncoder.Predict(plan, rows: i % 2 == 0), "good " + plan, FuzzExpectation.Success),
                BenchApi.KServeRest => new FuzzRequest("POST", "/v2/models/" + Uri.EscapeDataString(model) + "/infer", "application/json",
                    FuzzJsonEncoder.Infer(plan), "good " + plan, FuzzExpectation.Success),
                _ => throw new ArgumentOutOfRangeException(nameof(api), api, "fuzzing needs a server API"),
            };
        }
        return requests;
    }
}
