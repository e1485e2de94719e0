using System.Runtime.InteropServices;
using RecServe.Core.Tensors;
using RecServe.Embeddings.Deltas;
using RecServe.Embeddings.Tables;
using RecServe.Runtime.Bundles;
using RecServe.Runtime.Onnx;

namespace RecServe.Runtime.Tests.Bundles;

/// <summary>
/// Deltas that replace dense weights (the test graph's "bias" [2]: score = features @ w + bias) change what a served
/// bundle answers, persist with the overlay, and are refused whole when they do not fit the graph.
/// </summary>
public sealed class DenseWeightDeltaTests : IDisposable
{
    private readonly TestBundle _bundle = new(BundleModelTests.DenseGraph);
    private readonly string _state = Path.Combine(Path.GetTempPath(), "recserve-dense-delta-tests", Guid.NewGuid().ToString("N"));
    private readonly string _deltas;

    public DenseWeightDeltaTests()
    {
        _deltas = Path.Combine(_bundle.VersionPath, "deltas");
        Directory.CreateDirectory(_deltas);
    }

    [Fact]
    public void TheGraphsWeightsAreReadFromTheFile()
    {
        var weights = OnnxInitializers.Read(BundleModelTests.DenseGraph);

        Assert.Equal(TensorDataType.Float32, weights["w"].Type);
        Assert.Equal([10L, 2L], weights["w"].Shape);
        Assert.Equal(TensorDataType.Float32, weights["bias"].Type);
        Assert.Equal([2L], weights["bias"].Shape);
        Assert.Equal(TensorDataType.Int64, weights["zero_i"].Type);
        Assert.Empty(weights["zero_i"].Shape);
    }

    [Fact]
    public void ABiasReplacedByADeltaShiftsEveryScoreAndSurvivesAReload()
    {
        float[] withZeroBias;
        float[] withNewBias;
        using (var model = Load())
        {
            WriteDelta(1, Bias(0f, 0f));
            model.Deltas!.ApplyPending(_deltas);
            withZeroBias = Score(model);
            WriteDelta(2, Bias(1.5f, -2f));
            model.Deltas.ApplyPending(_deltas);
            withNewBias = Score(model);
        }

        for (var row = 0; row < withZeroBias.Length / 2; row++)
        {
            Assert.Equal(withZeroBias[2 * row] + 1.5f, withNewBias[2 * row], 5);
            Assert.Equal(withZeroBias[2 * row + 1] - 2f, withNewBias[2 * row + 1], 5);
        }
        using var reloaded = Load();
        Assert.Equal(2, reloaded.Deltas!.LastAppliedSeq);
        Assert.Equal(withNewBias, Score(reloaded));
    }

    public static TheoryData<string, DenseWeightUpdate> Misfits() => new()
    {
        { "is not a weight of the graph", new DenseWeightUpdate("no_such_weight", TensorDataType.Float32, [2], new byte[8]) },
        { "the graph's is float32 [2]", new DenseWeightUpdate("bias", TensorDataType.Float32, [3], new byte[12]) },
        { "the graph's is float32 [2]", new DenseWeightUpdate("bias", TensorDataType.Int32, [2], new byte[8]) },
    };

    [Theory]
    [MemberData(nameof(Misfits))]
    public void AWeightThatDoesNotFitRefusesTheWholeDelta(string message, DenseWeightUpdate misfit)
    {
        using var model = Load();
        var before = Score(model);
        WriteDelta(1, misfit, upsertA: true);

        var e = Assert.Throws<DeltaFormatException>(() => model.Deltas!.ApplyPending(_deltas));

        Assert.Contains(message, e.Message);
        Assert.Equal(0, model.Deltas!.LastAppliedSeq);
        Assert.Equal(before, Score(model)); // the row the delta also upserts is not applied either
    }

    private BundleModel Load() => BundleModel.Load(_bundle.VersionPath, new OnnxModelOptions(), Path.Combine(_state, "overlay"));

    private static DenseWeightUpdate Bias(float first, float second) =>
        new("bias", TensorDataType.Float32, [2], MemoryMarshal.AsBytes<float>([first, second]).ToArray());

    /// <summary>Delta <paramref name="seq"/> replacing <paramref name="weight"/>, and with <paramref name="upsertA"/> also a row of table ta.</summary>
    private void WriteDelta(long seq, DenseWeightUpdate weight, bool upsertA = false)
    {
        using var ta = EmbeddingTable.Open(_bundle.TablePath("ta"));
        using var writer = new DeltaFileWriter(Path.Combine(_deltas, DeltaFormat.FileName(seq)), seq, [DeltaTableSchema.Of(ta)], [weight]);
        if (upsertA)
        {
            writer.Upsert(0, TestBundle.IdA(0), [9f, 9f, 9f]);
        }
        writer.Complete();
    }

    private static float[] Score(BundleModel model) =>
        TestBundle.Score(model, BundleRequests.PaddedRequest(BundleModelTests.BagsA, BundleModelTests.BagsB));

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
