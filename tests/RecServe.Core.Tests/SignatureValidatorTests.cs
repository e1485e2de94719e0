using RecServe.Core.Errors;
using RecServe.Core.Signatures;
using RecServe.Core.Tensors;

namespace RecServe.Core.Tests;

public sealed class SignatureValidatorTests
{
    private static readonly ModelSignature Signature = new(
        [new TensorSpec("x", TensorDataType.Float32, [-1, 4]), new TensorSpec("ids", TensorDataType.Int64, [-1])],
        [new TensorSpec("y", TensorDataType.Float32, [-1, 1])]);

    private static Dictionary<string, Tensor> Inputs(long batchX, long batchIds, TensorDataType xType = TensorDataType.Float32, long width = 4) => new()
    {
        ["x"] = Tensor.Allocate(xType, [batchX, width]),
        ["ids"] = Tensor.Allocate(TensorDataType.Int64, [batchIds]),
    };

    [Fact]
    public void AcceptsMatchingInputs()
    {
        SignatureValidator.Validate(Signature, Inputs(3, 3), ["y"]);
    }

    [Fact]
    public void RejectsUnknownInputNamingIt()
    {
        var inputs = Inputs(1, 1);
        inputs["extra"] = Tensor.Allocate(TensorDataType.Float32, [1]);
        var error = Assert.Throws<ServingException>(() => SignatureValidator.Validate(Signature, inputs, []));
        Assert.Equal(ServingErrorCode.InvalidArgument, error.Code);
        Assert.Contains("'extra'", error.Message);
    }

    [Fact]
    public void RejectsMissingInputNamingIt()
    {
        var inputs = Inputs(1, 1);
        inputs.Remove("ids");
        var error = Assert.Throws<ServingException>(() => SignatureValidator.Validate(Signature, inputs, []));
        Assert.Contains("missing input 'ids'", error.Message);
    }

    [Fact]
    public void RejectsWrongDtype()
    {
        var error = Assert.Throws<ServingException>(() => SignatureValidator.Validate(Signature, Inputs(1, 1, TensorDataType.Float64), []));
        Assert.Contains("'x' has type float64", error.Message);
    }

    [Fact]
    public void RejectsWrongFixedDimension()
    {
        var error = Assert.Throws<ServingException>(() => SignatureValidator.Validate(Signature, Inputs(1, 1, width: 5), []));
        Assert.Contains("dimension 1 must be 4", error.Message);
    }

    [Fact]
    public void RejectsWrongRank()
    {
        var inputs = Inputs(1, 1);
        inputs["ids"] = Tensor.Allocate(TensorDataType.Int64, [1, 2]);
        var error = Assert.Throws<ServingException>(() => SignatureValidator.Validate(Signature, inputs, []));
        Assert.Contains("'ids' has rank 2", error.Message);
    }

    [Fact]
    public void RejectsMismatchedBatchSizes()
    {
        var error = Assert.Throws<ServingException>(() => SignatureValidator.Validate(Signature, Inputs(2, 3), []));
        Assert.Contains("same batch size", error.Message);
    }

    [Fact]
    public void RejectsUnknownOutputFilter()
    {
        var error = Assert.Throws<ServingException>(() => SignatureValidator.Validate(Signature, Inputs(1, 1), ["nope"]));
        Assert.Contains("'nope'", error.Message);
    }
}
