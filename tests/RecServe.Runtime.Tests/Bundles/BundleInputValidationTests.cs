using RecServe.Core.Errors;
using RecServe.Core.Signatures;
using RecServe.Core.Tensors;
using RecServe.Runtime.Bundles;
using RecServe.Runtime.Onnx;

namespace RecServe.Runtime.Tests.Bundles;

/// <summary>Every malformed sparse input is refused by the signature check with INVALID_ARGUMENT naming the feature.</summary>
public sealed class BundleInputValidationTests : IDisposable
{
    private readonly TestBundle _bundle = new(BundleModelTests.DenseGraph);
    private readonly BundleModel _model;

    public BundleInputValidationTests() => _model = BundleModel.Load(_bundle.VersionPath, new OnnxModelOptions());

    public void Dispose()
    {
        _model.Dispose();
        _bundle.Dispose();
    }

    private static Tensor Ids(long[] shape, params long[] ids) => Tensor.FromValues<long>(TensorDataType.Int64, shape, ids);

    private static Tensor Lengths(params int[] lengths) => Tensor.FromValues<int>(TensorDataType.Int32, [lengths.Length], lengths);

    /// <summary>A valid two-row request, changed by <paramref name="change"/>.</summary>
    private static Dictionary<string, Tensor> Request(Action<Dictionary<string, Tensor>> change)
    {
        var inputs = new Dictionary<string, Tensor>
        {
            ["dense"] = BundleRequests.Dense(2),
            ["a"] = Ids([2], TestBundle.IdA(0), TestBundle.IdA(1)),
            ["b"] = Ids([2, 1], TestBundle.IdB(0), -1),
        };
        change(inputs);
        return inputs;
    }

    public static readonly TheoryData<string, string> BadRequests = new()
    {
        { "wrong dtype", "sparse feature 'a' has type int32; ids must be int64" },
        { "wrong rank", "sparse feature 'a' has rank 3" },
        { "too many padded ids", "sparse feature 'a' has 5 ids per row" },
        { "too many ragged ids", "row 1 of sparse feature 'a' has 5 ids" },
        { "lengths do not add up", "'a.lengths' add up to 3 but sparse feature 'a' holds 4 ids" },
        { "negative length", "'a.lengths' gives row 0 of sparse feature 'a' a negative length -1" },
        { "lengths dtype", "'a.lengths' has type float32" },
        { "lengths rank", "'a.lengths' has shape [2, 1]" },
        { "ragged ids not flat", "sparse feature 'a' comes with 'a.lengths'" },
        { "batch differs", "input 'a' has batch size 3" },
        { "ragged batch differs", "input 'a' has batch size 1" },
        { "lengths without feature", "input 'a.lengths' is given without its sparse feature 'a'" },
        { "lengths of a dense input", "input 'dense.lengths' is not in the signature" },
    };

    private static Dictionary<string, Tensor> BadRequest(string kind) => kind switch
    {
        "wrong dtype" => Request(r => r["a"] = Tensor.FromValues<int>(TensorDataType.Int32, [2], [1, 2])),
        "wrong rank" => Request(r => r["a"] = Ids([2, 1, 1], 1, 2)),
        "too many padded ids" => Request(r => r["a"] = Ids([2, 5], 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)),
        "too many ragged ids" => Request(r => { r["a"] = Ids([6], 1, 2, 3, 4, 5, 6); r["a.lengths"] = Lengths(1, 5); }),
        "lengths do not add up" => Request(r => { r["a"] = Ids([4], 1, 2, 3, 4); r["a.lengths"] = Lengths(1, 2); }),
        "negative length" => Request(r => { r["a"] = Ids([1], 1); r["a.lengths"] = Lengths(-1, 2); }),
        "lengths dtype" => Request(r => { r["a"] = Ids([2], 1, 2); r["a.lengths"] = Tensor.FromValues<float>(TensorDataType.Float32, [2], [1f, 1f]); }),
        "lengths rank" => Request(r => { r["a"] = Ids([2], 1, 2); r["a.lengths"] = Tensor.FromValues<int>(TensorDataType.Int32, [2, 1], [1, 1]); }),
        "ragged ids not flat" => Request(r => { r["a"] = Ids([2, 1], 1, 2); r["a.lengths"] = Lengths(1, 1); }),
        "batch differs" => Request(r => r["a"] = Ids([3], 1, 2, 3)),
        "ragged batch differs" => Request(r => { r["a"] = Ids([2], 1, 2); r["a.lengths"] = Lengths(2); }),
        "lengths without feature" => Request(r => { r.Remove("a"); r["a.lengths"] = Lengths(1, 1); }),
        "lengths of a dense input" => Request(r => r["dense.lengths"] = Lengths(1, 1)),
        _ => throw new ArgumentException(kind),
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public void BadSparseInputIsInvalidArgumentNamingTheFeature(string kind, string message)
    {
        var inputs = BadRequest(kind);
        try
        {
            var error = Assert.Throws<ServingException>(() => SignatureValidator.Validate(_model.Signature, inputs, []));
            Assert.Equal(ServingErrorCode.InvalidArgument, error.Code);
            Assert.Contains(message, error.Message);
        }
        finally
        {
            BundleRequests.DisposeAll(inputs);
        }
    }

    [Fact]
    public void ValidRequestsInEveryLayoutPass()
    {
        var oneAndPadded = Request(_ => { });
        var ragged = Request(r => { r["a"] = Ids([5], 1, 2, 3, 4, 5); r["a.lengths"] = Tensor.FromValues<long>(TensorDataType.Int64, [2], [4, 1]); });
        try
        {
            SignatureValidator.Validate(_model.Signature, oneAndPadded, []);
            SignatureValidator.Validate(_model.Signature, ragged, []);
            using var outputs = _model.Predict(ragged, []);
            Assert.Equal([2L, 2L], outputs.Find("score")!.Shape);
        }
        finally
        {
            BundleRequests.DisposeAll(oneAndPadded);
            BundleRequests.DisposeAll(ragged);
        }
    }
}
