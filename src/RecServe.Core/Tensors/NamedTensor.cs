namespace RecServe.Core.Tensors;

/// <summary>A tensor with the input or output name it travels under.</summary>
/// <param name="Name">Signature name.</param>
/// <param name="Tensor">The value.</param>
public readonly record struct NamedTensor(string Name, Tensor Tensor);
