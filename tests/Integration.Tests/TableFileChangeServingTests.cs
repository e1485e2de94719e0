using Grpc.Core;
using RecServe.Embeddings.Tables;
using RecServe.Runtime.Tests.Bundles;
using Tensorflow.Serving;

namespace Integration.Tests;

/// <summary>
/// A mapped table file written in place under a served version is detected: the version stops answering from it,
/// is reloaded from the folder with every checksum verified again, and no answer ever mixes the two files.
/// </summary>
public sealed class TableFileChangeServingTests : IDisposable
{
    private const string Model = "bundle";
    private static readonly float[] Dense = [0.5f, -1f, 0.25f, 2f];

    private readonly TestBundle _bundle = new(Path.Combine(RepoPaths.Root, "tests", "fixtures", "bundle_dense", "dense.onnx"));
    private readonly string _state = Path.Combine(Path.GetTempPath(), "recserve-file-change-tests", Guid.NewGuid().ToString("N"));

    private string RowsFile => Path.Combine(_bundle.TablePath("ta"), TableFormat.RowsFileName);

    [Fact]
    public async Task ARowsFileRewrittenInPlaceIsServedWholeAfterAReloadAndNeverMixed()
    {
        AgeTableFiles();
        var replacement = TableAWithOtherValues();
        Assert.Equal(new FileInfo(RowsFile).Length, new FileInfo(Path.Combine(replacement, TableFormat.RowsFileName)).Length);
        await using var server = await StartAsync();
        var before = await PredictAsync(server);

        // The rows in place (what a careless copy does), then the small metadata file, whose checksums the reload checks.
        WriteInPlace(RowsFile, File.ReadAllBytes(Path.Combine(replacement, TableFormat.RowsFileName)), offset: 0);
        File.Copy(Path.Combine(replacement, TableFormat.MetaFileName), Path.Combine(_bundle.TablePath("ta"), TableFormat.MetaFileName), overwrite: true);

        var answers = new List<double[]>();
        await ServerProcess.WaitForAsync(async () =>
        {
            var answer = await TryPredictAsync(server);
            if (answer is not null)
            {
                answers.Add(answer);
            }
            return answer is not null && !answer.SequenceEqual(before);
        }, TimeSpan.FromSeconds(30), "the version to serve the rewritten file");

        var after = answers[^1];
        Assert.All(answers, answer => Assert.True(answer.SequenceEqual(before) || answer.SequenceEqual(after), "an answer mixed the two files"));
        // The watcher may see the write a moment after a request already read the new bytes (one write, never torn).
        await ServerProcess.WaitForAsync(() => Task.FromResult(server.Output.Contains("was written in place while mapped", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30), "the server to report the write");
        await ServerProcess.WaitForAsync(async () => (await VersionStatusAsync(server)).State == ModelVersionStatus.Types.State.Available
            && await TryPredictAsync(server) is { } answer && answer.SequenceEqual(after),
            TimeSpan.FromSeconds(30), "the reloaded version to serve the new file");
    }

    [Fact]
    public async Task ARowsFileCorruptedInPlaceStopsTheVersionAndIsNeverServed()
    {
        AgeTableFiles();
        await using var server = await StartAsync();
        var before = await PredictAsync(server);

        // One flipped byte in the last row, which no request here reads: the reload's checksum must find it.
        var length = new FileInfo(RowsFile).Length;
        var bytes = File.ReadAllBytes(RowsFile);
        WriteInPlace(RowsFile, [(byte)(bytes[length - 1] ^ 0x5A)], offset: length - 1);

        await ServerProcess.WaitForAsync(async () => (await VersionStatusAsync(server)).Status.ErrorMessage.Contains("checksum", StringComparison.OrdinalIgnoreCase),
            TimeSpan.FromSeconds(30), "the reload to refuse the corrupted file");
        var status = await VersionStatusAsync(server);
        Assert.Equal(ModelVersionStatus.Types.State.End, status.State);
        var refused = await Assert.ThrowsAsync<RpcException>(() => PredictAsync(server));
        Assert.True(refused.StatusCode is StatusCode.Unavailable or StatusCode.NotFound, refused.Status.ToString());
        Assert.False(server.HasExited);
        Assert.NotNull(before);
    }

    private async Task<ServerProcess> StartAsync() =>
        await ServerProcess.StartAsync("--model_name", Model, "--model_base_path", _bundle.BasePath, "--state_dir", _state,
            "--file_system_poll_wait_seconds", "0.2");

    /// <summary>
    /// Moves the table files' modification time an hour back, so that the rewrite in the test moves it (file systems
    /// keep it at the resolution of a clock tick) as a rewrite long after the bundle was written would.
    /// </summary>
    private void AgeTableFiles()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(_bundle.VersionPath, "tables"), "*", SearchOption.AllDirectories))
        {
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddHours(-1));
        }
    }

    /// <summary>A table with table ta's ids in the same order (so the same index file), other values; returns its folder.</summary>
    private string TableAWithOtherValues()
    {
        var folder = Path.Combine(_state, "replacement-ta");
        var random = new Random(77);
        using (var writer = new EmbeddingTableWriter(folder, "ta", 3, RecServe.Core.Tensors.TensorDataType.Float32))
        {
            for (var i = 0; i < 50; i++)
            {
                writer.Add(TestBundle.IdA(i), [(float)random.NextDouble(), (float)random.NextDouble(), (float)random.NextDouble()]);
            }
            writer.Complete();
        }
        Assert.Equal(File.ReadAllBytes(Path.Combine(folder, TableFormat.IndexFileName)),
            File.ReadAllBytes(Path.Combine(_bundle.TablePath("ta"), TableFormat.IndexFileName)));
        return folder;
    }

    private static void WriteInPlace(string path, byte[] bytes, long offset)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
        RandomAccess.Write(handle, bytes, offset);
    }

    private static async Task<ModelVersionStatus> VersionStatusAsync(ServerProcess server)
    {
        var status = await server.Models.GetModelStatusAsync(new GetModelStatusRequest { ModelSpec = new ModelSpec { Name = Model } });
        return Assert.Single(status.ModelVersionStatus);
    }

    private static async Task<double[]?> TryPredictAsync(ServerProcess server)
    {
        try
        {
            return await PredictAsync(server);
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Asks for a known and an unknown id of table ta.</summary>
    private static async Task<double[]> PredictAsync(ServerProcess server)
    {
        var request = new PredictRequest { ModelSpec = new ModelSpec { Name = Model } };
        request.Inputs["dense"] = Protos.Floats(Dense, [1, 4], content: true);
        request.Inputs["a"] = Protos.Int64s([TestBundle.IdA(0), 424242], [1, 2], content: true);
        request.Inputs["b"] = Protos.Int64s([TestBundle.IdB(0)], [1, 1], content: true);
        var response = await server.Predictions.PredictAsync(request);
        return Protos.Values(response.Outputs["score"]);
    }

    public void Dispose()
    {
        _bundle.Dispose();
        try
        {
            Directory.Delete(_state, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
