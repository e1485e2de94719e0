using System.Globalization;
using Tensorflow.Serving;

namespace Integration.Tests;

/// <summary>
/// <c>--sched_batch</c> puts every thread of the server under SCHED_BATCH, those it starts after the flag is applied
/// (Kestrel's socket threads, thread-pool workers, ONNX Runtime's) included, and the server still answers; without
/// the flag the threads keep the default policy. The policy is read from /proc, not through the server's own code.
/// </summary>
public sealed class SchedBatchTests
{
    private const int SchedOther = 0;
    private const int SchedBatch = 3;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task EveryThreadRunsUnderThePolicyAsked(bool schedBatch)
    {
        string[] args = ["--model_name", "dlrm", "--model_base_path", RepoPaths.ExampleModel];
        await using var server = await ServerProcess.StartAsync(schedBatch ? [.. args, "--sched_batch"] : args);
        var sample = ExampleModelTests.Samples()[0];
        var request = new PredictRequest { ModelSpec = new ModelSpec { Name = "dlrm" } };
        request.Inputs["dense"] = Protos.Floats(ExampleModelTests.Dense(sample), [sample.Batch, 13], true);
        foreach (var name in ExampleModelTests.CategoricalInputs)
        {
            request.Inputs[name] = Protos.Int64s(ExampleModelTests.Ids(sample, name), [sample.Batch, 4], true);
        }
        // Requests in parallel, so that socket threads and several thread-pool workers exist when the policy is read.
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ => await server.Predictions.PredictAsync(request)));
        Assert.All(answers, response => ExampleModelTests.AssertClose(sample.Expected, Protos.Values(response.Outputs["probability"]), 1e-5));

        var policies = ThreadPolicies(server.ProcessId);
        Assert.True(policies.Count > 10, $"expected the server's threads, found {policies.Count}");
        var expected = schedBatch ? SchedBatch : SchedOther;
        Assert.All(policies, thread => Assert.True(thread.Policy == expected, $"thread {thread.Name} has policy {thread.Policy}, expected {expected}"));
    }

    /// <summary>Name and scheduling policy (field 41 of /proc/PID/task/TID/stat) of each thread of <paramref name="processId"/>.</summary>
    private static List<(string Name, int Policy)> ThreadPolicies(int processId)
    {
        var result = new List<(string, int)>();
        foreach (var task in Directory.EnumerateDirectories($"/proc/{processId}/task"))
        {
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(task, "stat"));
            }
            catch (IOException)
            {
                continue; // the thread ended meanwhile
            }
            // "tid (name) state ...": the name may hold spaces and parentheses, so count fields after the last ')'.
            var nameEnd = stat.LastIndexOf(')');
            var fields = stat[(nameEnd + 2)..].Split(' ');
            result.Add((stat[(stat.IndexOf('(') + 1)..nameEnd], int.Parse(fields[41 - 3], CultureInfo.InvariantCulture)));
        }
        return result;
    }
}
