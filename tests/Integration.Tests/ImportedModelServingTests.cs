using System.Diagnostics;
using Tensorflow.Serving;
using Xunit;

namespace Integration.Tests;

/// <summary>
/// A PyTorch model written without the importer in mind (tests/fixtures/untuned/make_two_tower.py: nn.Embedding
/// with one id per row, nn.EmbeddingBag, a mean over a bag, a dot product of two embeddings) goes through the real
/// `recserve import` and the real server, and answers as ONNX Runtime answers on the original model.
/// </summary>
public sealed class ImportedModelServingTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("recserve-imported-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    private static string Original => Path.Combine(RepoPaths.Root, "tests", "fixtures", "untuned", "two_tower.onnx");

    private async Task<string> ImportAsync()
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { ServerProcess.BinaryPath, "import", Original, "--out", Path.Combine(_scratch, "two_tower", "1") })
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"import failed:\n{await output}\n{await error}");
        return await output;
    }

    [Fact]
    public async Task UntunedTwoTowerModelImportsAndServesTheOriginalsAnswers()
    {
        var report = await ImportAsync();
        // Every table moved out of the graph, each through the pattern torch exported for it.
        Assert.Contains("extracted user_id", report, StringComparison.Ordinal);
        Assert.Contains("extracted item_id", report, StringComparison.Ordinal);
        Assert.Contains("extracted history", report, StringComparison.Ordinal);
        Assert.Contains("extracted categories", report, StringComparison.Ordinal);

        using var reference = new OrtReference(Original);
        await using var server = await ServerProcess.StartAsync("--model_name", "two_tower", "--model_base_path", Path.Combine(_scratch, "two_tower"));
        for (var seed = 0; seed < 4; seed++)
        {
            var inputs = reference.RandomInputs(batch: 5 + seed, seed);
            var expected = reference.Run(inputs)["score"];
            var request = new PredictRequest { ModelSpec = new ModelSpec { Name = "two_tower" } };
            foreach (var input in inputs)
            {
                request.Inputs[input.Name] = input.ToProto(content: seed % 2 == 0);
            }

            var response = await server.Predictions.PredictAsync(request);

            var actual = Protos.Values(response.Outputs["score"]);
            Assert.Equal(expected.Shape, Protos.ShapeOf(response.Outputs["score"]));
            for (var i = 0; i < actual.Length; i++)
            {
                Assert.InRange(actual[i] - expected.Numbers![i], -1e-5, 1e-5);
            }
        }
    }
}
