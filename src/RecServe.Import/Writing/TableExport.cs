using RecServe.Core.Tensors;
using RecServe.Embeddings.Tables;
using RecServe.Import.Onnx;
using RecServe.Import.Onnx.Proto;

namespace RecServe.Import.Writing;

/// <summary>Writes an embedding initializer as a table whose ids are its row numbers.</summary>
internal static class TableExport
{
    // Progress is reported per this many rows: often enough for a bar, rare enough to cost nothing.
    private const int ProgressRows = 1 << 16;

    public static void Write(TensorProto weight, string modelFolder, string folder, string tableName, TensorDataType dataType, IProgress<ImportProgress>? progress)
    {
        var rows = weight.Dims[0];
        var dim = checked((int)weight.Dims[1]);
        var values = TensorValues.ReadFloats(weight, modelFolder);
        var stage = $"table {tableName}";
        using var writer = new EmbeddingTableWriter(folder, tableName, dim, dataType);
        for (long row = 0; row < rows; row++)
        {
            writer.Add(row, values.Span.Slice(checked((int)(row * dim)), dim));
            if ((row + 1) % ProgressRows == 0)
            {
                progress?.Report(new ImportProgress(stage, row + 1, rows));
            }
        }
        writer.Complete();
        progress?.Report(new ImportProgress(stage, rows, rows));
    }
}
