using Integration.Tests;

namespace Fuzz.Tests;

/// <summary>One real server for every fuzzing test of a class: the example DLRM model, without batching (see docs/SECURITY.md).</summary>
public class FuzzServer : IAsyncLifetime
{
    internal ServerProcess Process { get; private set; } = null!;

    /// <summary>Flags beyond the model and the message limit.</summary>
    protected virtual string[] MoreFlags => [];

    public async Task InitializeAsync() =>
        Process = await ServerProcess.StartAsync(
            ["--model_name", "dlrm", "--model_base_path", RepoPaths.ExampleModel, "--max_message_bytes", (4 << 20).ToString(), .. MoreFlags]);

    public async Task DisposeAsync() => await Process.DisposeAsync();

    /// <summary>The server's recserve_large_tensor_bytes gauge: native bytes of large tensors not yet freed.</summary>
    public async Task<long> LargeTensorBytesInUse() =>
        (long)MetricsText.Value(await Process.Http.GetStringAsync("/metrics"), "recserve_large_tensor_bytes");

    /// <summary>The server's resident memory in bytes, from /proc/{pid}/status.</summary>
    public long ResidentBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{Process.ProcessId}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0]) * 1024;
            }
        }
        throw new InvalidOperationException("no VmRSS in /proc status");
    }
}

/// <summary>The same server with dynamic batching on, so that the fuzzer's concurrent requests share batches.</summary>
public sealed class BatchingFuzzServer : FuzzServer
{
    protected override string[] MoreFlags => ["--enable_batching"];
}
