using Tensorflow.Serving;

namespace Integration.Tests;

/// <summary>
/// Whatever block size connections read into (<c>--socket_block_kib</c>: Kestrel's own 4 KiB pool, the smallest
/// large block, the default 64 KiB), a request that spans many blocks and frames arrives whole: the recorded PyTorch
/// outputs come back for every copy of the sample in a request of a thousand copies (over 64 KiB).
/// </summary>
public sealed class SocketBlockTests
{
    private const int Copies = 1000;

    [Theory]
    [InlineData("0")]
    [InlineData("4")]
    [InlineData("64")]
    public async Task ARequestOfManyBlocksIsAnsweredWhole(string blockKib)
    {
        await using var server = await ServerProcess.StartAsync(
            "--model_name", "dlrm", "--model_base_path", RepoPaths.ExampleModel, "--socket_block_kib", blockKib);
        var sample = ExampleModelTests.Samples()[0];
        var rows = sample.Batch * Copies;
        var request = new PredictRequest { ModelSpec = new ModelSpec { Name = "dlrm" } };
        request.Inputs["dense"] = Protos.Floats(Repeat(ExampleModelTests.Dense(sample)), [rows, 13], true);
        foreach (var name in ExampleModelTests.CategoricalInputs)
        {
            request.Inputs[name] = Protos.Int64s(Repeat(ExampleModelTests.Ids(sample, name)), [rows, 4], true);
        }
        Assert.True(request.CalculateSize() > 64 * 1024, "the request must span more than one 64 KiB block");

        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ => await server.Predictions.PredictAsync(request)));

        Assert.All(answers, response => ExampleModelTests.AssertClose(Repeat(sample.Expected), Protos.Values(response.Outputs["probability"]), 1e-5));
    }

    [Fact]
    public async Task ABlockSizeOutsideTheRangeIsRefusedAtStart()
    {
        using var process = RecServeCommand.Start("serve", ["--model_name", "dlrm", "--model_base_path", RepoPaths.ExampleModel,
            "--bind_address", "127.0.0.1", "--port", "0", "--rest_api_port", "0", "--socket_block_kib", "2"]);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.NotEqual(0, process.ExitCode);
        Assert.Contains("--socket_block_kib must be 0 (Kestrel's pool) or 4 to 1024", stderr + await stdout);
    }

    private static T[] Repeat<T>(T[] values) => Enumerable.Repeat(values, Copies).SelectMany(v => v).ToArray();
}
