using RecServe.Cli.Bench.Update;

namespace RecServe.Cli.Tests.Bench.Update;

public sealed class BenchServerProcessTests
{
    [Fact]
    public void ReadsEachVersionStateFromTheRestModelStatus()
    {
        const string Json = """
            {"model_version_status": [
              {"version": "2", "state": "AVAILABLE", "status": {"error_code": "OK", "error_message": ""}},
              {"version": "1", "state": "END", "status": {}}
            ]}
            """;

        var states = BenchServerProcess.ParseVersionStates(Json);

        Assert.Equal(2, states.Count);
        Assert.Equal("AVAILABLE", states[2]);
        Assert.Equal("END", states[1]);
    }

    [Fact]
    public void AStatusWithoutVersionsHasNoStates()
    {
        Assert.Empty(BenchServerProcess.ParseVersionStates("{}"));
    }
}
