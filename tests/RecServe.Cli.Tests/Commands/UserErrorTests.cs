namespace RecServe.Cli.Tests.Commands;

/// <summary>User errors (missing files, bad flag values, unparsable files): a non-zero exit and one line on stderr, no stack trace, no help dump.</summary>
public sealed class UserErrorTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "recserve-user-errors", Guid.NewGuid().ToString("N"));

    public UserErrorTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string ExampleModel => Path.Combine(RepositoryPaths.Root, "examples", "models", "dlrm");

    public static TheoryData<string[], string> Cases() => new()
    {
        { ["serve", "--port", "abc"], "recserve serve: Cannot parse argument 'abc' for option '--port'" },
        { ["serve", "--rest_api_port", "70000"], "recserve serve: --rest_api_port must be between 0 and 65535, not 70000" },
        { ["serve", "--model_base_path", "/nonexistent/models"], "recserve serve: --model_base_path /nonexistent/models does not exist" },
        { ["serve", "--model_name", "m"], "recserve serve: give --model_base_path" },
        { ["serve", "--model_base_path", ExampleModel, "--bind_address", "not-an-address"], "recserve serve: " },
        { ["serve", "--log_format", "yaml"], "recserve serve: Argument 'yaml' not recognized" },
        { ["nosuchcommand"], "recserve: Required command was not provided; Unrecognized command or argument 'nosuchcommand'" },
        { ["inspect", "/nonexistent/model"], "recserve inspect: " },
        { ["import", "/nonexistent/model.onnx", "--out", "/tmp/recserve-never-written/1"], "recserve import: " },
        { ["delta", "inspect", "/nonexistent/1.delta"], "recserve delta inspect: " },
        { ["delta", "apply"], "recserve delta apply: Option '--state-dir' is required" },
        { ["demo-model", "--rows", "ten", "--dim", "4", "--tables", "1", "--out", "/tmp/x/1"], "recserve demo-model: Cannot parse argument 'ten'" },
        { ["demo-model", "--rows", "10", "--dim", "4", "--tables", "1", "--bottom", "8,0", "--out", "/tmp/recserve-never-written/1"], "recserve demo-model: --bottom '8,0' is not" },
        { ["demo-model", "--rows", "10", "--dim", "4", "--tables", "1", "--dense", "0", "--bottom", "8", "--out", "/tmp/recserve-never-written/1"], "recserve demo-model: a bottom MLP needs a dense input" },
        { ["table", "push", "/nonexistent/model/1", "--table", "t", "--redis", "127.0.0.1:1"], "recserve table push: " },
        { ["bench", "--api", "carrier-pigeon", "--model", "m"], "recserve bench: Argument 'carrier-pigeon' not recognized" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void FailsWithOneLineOnStderr(string[] args, string start)
    {
        var (code, stdout, stderr) = RecserveProcess.Run(args);

        Assert.NotEqual(0, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(start, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Description:", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnparsableBatchingFileStopsTheServer()
    {
        var batching = Path.Combine(_folder, "batching.txt");
        File.WriteAllText(batching, "max_batch_size { value: lots }");

        var (code, _, stderr) = RecserveProcess.Run("serve", "--model_base_path", ExampleModel, "--batching_parameters_file", batching);

        Assert.NotEqual(0, code);
        Assert.Equal("recserve serve: batching parameters: max_batch_size must be written as 'max_batch_size { value: N }' with a whole number N",
            Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }
}
