using RecServe.Runtime.Onnx;

namespace RecServe.Runtime.Tests.Onnx;

/// <summary>
/// ONNX Runtime, left to pick its own intra-op thread count, counts every core of the machine and pins a pool thread
/// to each, so a server confined to some cores (taskset, a container's cpuset) ran operators on the others. The
/// default options must keep every thread on the CPUs the process was given.
/// </summary>
public sealed class OnnxThreadAffinityTests
{
    [Fact]
    public void DefaultIntraOpThreadsAreTheCpusThisProcessMayUse()
    {
        Assert.Equal(Environment.ProcessorCount, new OnnxModelOptions().ResolvedIntraOpThreads);
        Assert.Equal(3, new OnnxModelOptions { IntraOpThreads = 3 }.ResolvedIntraOpThreads);
    }

    [Fact]
    public void LoadingWithDefaultOptionsPinsNoThreadToFewerCpusThanTheProcessHas()
    {
        var processCpus = AllowedCpus("/proc/self/status");
        using var model = OnnxModel.Load(FixtureModels.OnnxPath("mlp_opset17"), new OnnxModelOptions());

        foreach (var task in Directory.GetDirectories("/proc/self/task"))
        {
            string threadCpus;
            try
            {
                threadCpus = AllowedCpus(Path.Combine(task, "status"));
            }
            catch (IOException)
            {
                continue; // the thread ended while we looked
            }
            Assert.True(threadCpus == processCpus,
                $"thread {File.ReadAllText(Path.Combine(task, "comm")).Trim()} may run on CPUs {threadCpus}, the process on {processCpus}");
        }
    }

    private static string AllowedCpus(string statusPath) =>
        File.ReadLines(statusPath).Single(line => line.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal))
            .Split(':', 2)[1].Trim();
}
