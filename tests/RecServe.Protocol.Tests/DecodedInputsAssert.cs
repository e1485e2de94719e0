using RecServe.Core.Tensors;

namespace RecServe.Protocol.Tests;

/// <summary>Comparisons of decoded inputs for the decoder tests.</summary>
internal static class DecodedInputsAssert
{
    /// <summary>Every tensor of <paramref name="expected"/> is in <paramref name="actual"/> with the same type, shape and bytes, and nothing else is.</summary>
    public static void Same(IReadOnlyDictionary<string, Tensor> expected, InputTensorBuffers actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        foreach (var (name, tensor) in expected)
        {
            var found = actual.Inputs[name];
            Assert.Equal(tensor.DataType, found.DataType);
            Assert.Equal(tensor.Shape.ToArray(), found.Shape.ToArray());
            Assert.Equal(tensor.Bytes.ToArray(), found.Bytes.ToArray());
        }
    }
}
