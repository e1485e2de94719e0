using RecServe.Cli.Bench;
using RecServe.Cli.Fuzz;
using Xunit.Abstractions;

namespace Fuzz.Tests;

/// <summary>
/// Every API survives 10,000 generated requests, most malformed (two rounds of 5,000): each answer is a client
/// error or success, never a server error or a dropped connection (a failure is shrunk by CsCheck and printed);
/// valid requests are answered as before; the server's memory stays bounded and does not keep growing, and every
/// large tensor the requests made it allocate (native memory) has been freed once the answers are in.
/// </summary>
public sealed class ApiFuzzTests(FuzzServer server, ITestOutputHelper output) : ApiFuzzChecks<FuzzServer>(server, output);

/// <summary>
/// The same with dynamic batching on: the fuzzer's 16 concurrent requests, valid and not, meet in the batch queue,
/// where items, merged inputs and split results are pooled and reused.
/// </summary>
public sealed class BatchedApiFuzzTests(BatchingFuzzServer server, ITestOutputHelper output) : ApiFuzzChecks<BatchingFuzzServer>(server, output);

/// <summary>The fuzzing checks, run against the server <typeparamref name="TServer"/> starts.</summary>
public abstract class ApiFuzzChecks<TServer>(TServer server, ITestOutputHelper output) : IClassFixture<TServer>
    where TServer : FuzzServer
{
    private const int RequestsPerRound = 5_000;
    private const long MaxResidentBytes = 1536L << 20;
    private const long MaxGrowthBetweenRounds = 256L << 20;

    [Theory]
    [InlineData("grpc")]
    [InlineData("rest")]
    [InlineData("kserve-grpc")]
    [InlineData("kserve-rest")]
    public async Task AnswersEveryGeneratedRequestWithAClientErrorOrSuccess(string api)
    {
        var apiValue = BenchApis.Parse(api);
        var port = apiValue is BenchApi.Grpc or BenchApi.KServeGrpc ? server.Process.GrpcPort : server.Process.RestPort;
        var settings = new FuzzSettings { Api = apiValue, Address = new Uri($"http://127.0.0.1:{port}"), Model = "dlrm", Count = RequestsPerRound };

        var first = await FuzzRun.RunAsync(settings, output.WriteLine, CancellationToken.None);
        var afterFirst = server.ResidentBytes();
        var second = await FuzzRun.RunAsync(settings, output.WriteLine, CancellationToken.None);
        var afterSecond = server.ResidentBytes();

        output.WriteLine($"round 1: {first}; RSS {afterFirst >> 20} MiB");
        output.WriteLine($"round 2: {second}; RSS {afterSecond >> 20} MiB");
        Assert.False(server.Process.HasExited, "the server exited:\n" + server.Process.Output);
        Assert.True(first.GoodAnswersUnchanged && second.GoodAnswersUnchanged, "valid requests were answered differently after fuzzing");
        Assert.True(afterSecond < MaxResidentBytes, $"server RSS {afterSecond >> 20} MiB is over {MaxResidentBytes >> 20} MiB");
        Assert.True(afterSecond - afterFirst < MaxGrowthBetweenRounds,
            $"server RSS grew from {afterFirst >> 20} MiB to {afterSecond >> 20} MiB in the second round of the same requests");
        Assert.Equal(0, await server.LargeTensorBytesInUse());
    }
}
