namespace Integration.Tests;

/// <summary><c>--device cuda</c> on a machine without a GPU or the CUDA package fails at startup with one clear line.</summary>
public sealed class DeviceOptionTests
{
    [Fact]
    public async Task CudaWithoutGpuOrCudaPackageFailsAtStartupWithOneClearLine()
    {
        var basePath = Path.Combine(RepoPaths.Root, "tests", "fixtures");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            ServerProcess.StartAsync("--model_name", "m", "--model_base_path", basePath, "--device", "cuda"));

        var lines = error.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.Contains("--device cuda", StringComparison.Ordinal)).ToArray();
        var line = Assert.Single(lines);
        Assert.StartsWith("recserve serve: --device cuda cannot be used:", line, StringComparison.Ordinal);
        Assert.Contains("no CUDA execution provider", line, StringComparison.Ordinal);
        Assert.Contains("exited with code 2", error.Message, StringComparison.Ordinal);
    }
}
