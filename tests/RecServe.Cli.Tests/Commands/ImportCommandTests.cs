using System.Text.Json;
using RecServe.Cli.Commands;
using RecServe.Core.Tensors;
using RecServe.Import;
using RecServe.Runtime;
using RecServe.Runtime.Onnx;

namespace RecServe.Cli.Tests.Commands;

/// <summary><c>recserve import</c> of the example model: the bundle answers the example requests as the ONNX model does.</summary>
public sealed class ImportCommandTests : IDisposable
{
    private readonly string _scratch = Path.Combine(Path.GetTempPath(), $"recserve-cli-import-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_scratch))
        {
            Directory.Delete(_scratch, recursive: true);
        }
    }

    [Fact]
    public void Imported_example_serves_the_same_answers_as_the_onnx_model()
    {
        var root = RepositoryPaths.Root;
        var versionFolder = Path.Combine(root, "examples", "models", "dlrm", "1");
        var bundleFolder = Path.Combine(_scratch, "dlrm", "1");
        var output = new StringWriter();

        var exit = ImportCommand.Run(Path.Combine(versionFolder, "model.onnx"), bundleFolder, new ImportOptions(), output, output);

        Assert.True(exit == 0, output.ToString());
        Assert.Contains("self-check: max output difference", output.ToString());
        var options = new OnnxModelOptions { IntraOpThreads = 1 };
        using var plain = ModelLoader.Load(versionFolder, options);
        using var bundle = ModelLoader.Load(bundleFolder, options);
        Assert.Contains(bundle.Signature.Inputs, i => i.Name == "cat_0");
        using var requests = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "examples", "dlrm_requests.json")));
        var compared = 0;
        foreach (var request in requests.RootElement.EnumerateArray())
        {
            var inputs = ReadInputs(request.GetProperty("inputs"));
            try
            {
                using var expected = plain.Predict(inputs, []);
                using var actual = bundle.Predict(inputs, []);
                var want = expected.Find("probability")!.AsSpan<float>().ToArray();
                var got = actual.Find("probability")!.AsSpan<float>().ToArray();
                Assert.Equal(want.Length, got.Length);
                for (var i = 0; i < want.Length; i++)
                {
                    Assert.InRange(got[i] - want[i], -1e-5f, 1e-5f);
                }
                compared += want.Length;
            }
            finally
            {
                foreach (var tensor in inputs.Values)
                {
                    tensor.Dispose();
                }
            }
        }
        Assert.True(compared > 8);
    }

    [Fact]
    public void Failed_import_exits_non_zero_with_the_reason()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var exit = ImportCommand.Run(Path.Combine(_scratch, "missing.onnx"), Path.Combine(_scratch, "out", "1"), new ImportOptions(), output, error);

        Assert.Equal(1, exit);
        Assert.StartsWith("recserve import:", error.ToString());
        Assert.False(Directory.Exists(Path.Combine(_scratch, "out", "1")));
    }

    private static Dictionary<string, Tensor> ReadInputs(JsonElement inputs)
    {
        var tensors = new Dictionary<string, Tensor>();
        foreach (var input in inputs.EnumerateObject())
        {
            var rows = input.Value.EnumerateArray().Select(r => r.EnumerateArray().ToArray()).ToArray();
            long[] shape = [rows.Length, rows[0].Length];
            tensors[input.Name] = input.Name == "dense"
                ? Tensor.FromValues<float>(TensorDataType.Float32, shape, rows.SelectMany(r => r.Select(v => v.GetSingle())).ToArray())
                : Tensor.FromValues<long>(TensorDataType.Int64, shape, rows.SelectMany(r => r.Select(v => v.GetInt64())).ToArray());
        }
        return tensors;
    }
}
