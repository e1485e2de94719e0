namespace RecServe.Cli.Bench.Targets;

/// <summary>Creates the <see cref="IBenchTarget"/> for <see cref="TargetSettings.Api"/>.</summary>
internal static class BenchTargets
{
    /// <summary>The target the settings describe; in process, this loads the model.</summary>
    public static IBenchTarget Create(TargetSettings settings) => settings.Api switch
    {
        BenchApi.Grpc => new TfServingGrpcTarget(settings),
        BenchApi.Rest => new TfServingRestTarget(settings),
        BenchApi.KServeGrpc => new KServeGrpcTarget(settings),
        BenchApi.KServeRest => new KServeRestTarget(settings),
        BenchApi.InProcess => InProcessTarget.Load(settings),
        _ => throw new ArgumentOutOfRangeException(nameof(settings), settings.Api, "unknown API"),
    };
}
