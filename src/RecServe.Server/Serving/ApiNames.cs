namespace RecServe.Server.Serving;

/// <summary>The <c>api</c> label of request metrics.</summary>
public static class ApiNames
{
    /// <summary>TF-Serving gRPC Predict.</summary>
    public const string GrpcPredict = "grpc";

    /// <summary>TF-Serving REST :predict.</summary>
    public const string RestPredict = "rest";

    /// <summary>KServe v2 gRPC ModelInfer.</summary>
    public const string KServeGrpc = "kserve_grpc";

    /// <summary>KServe v2 REST infer.</summary>
    public const string KServeRest = "kserve_rest";
}
