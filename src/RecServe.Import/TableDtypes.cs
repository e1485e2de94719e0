using RecServe.Core.Tensors;
using RecServe.Embeddings.Tables;

namespace RecServe.Import;

/// <summary>Reads the <c>--dtype</c> of import and demo-model (names as <see cref="DataTypeNames"/> defines them).</summary>
public static class TableDtypes
{
    /// <summary>Parses "fp32", "fp16" or "int8"; throws <see cref="ArgumentException"/> for anything else.</summary>
    public static TensorDataType Parse(string name) =>
        DataTypeNames.TryParse(name, out var dataType)
            ? dataType
            : throw new ArgumentException($"--dtype is '{name}', expected fp32, fp16 or int8");
}
