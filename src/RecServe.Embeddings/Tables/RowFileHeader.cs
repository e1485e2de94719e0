using System.Buffers.Binary;
using RecServe.Core.Tensors;

namespace RecServe.Embeddings.Tables;

/// <summary>
/// Header of <see cref="TableFormat.RowsFileName"/>: row count (24), dim (32), data type (36, as
/// <see cref="TensorDataType"/>), row stride in bytes (40). The payload is <c>rowCount</c> rows of
/// <c>stride</c> bytes, encoded as <see cref="RowCodec"/> describes.
/// </summary>
internal readonly record struct RowFileHeader(long RowCount, int Dim, TensorDataType DataType, int RowStride, ulong PayloadChecksum,
    int Version = TableFormat.HashIndexVersion)
{
    public long PayloadBytes => RowCount * RowStride;

    public void Write(Span<byte> header)
    {
        header[..TableFormat.HeaderBytes].Clear();
        HeaderCodec.WriteCommon(header, TableFormat.RowsMagic, Version, PayloadBytes, PayloadChecksum);
        BinaryPrimitives.WriteInt64LittleEndian(header[24..], RowCount);
        BinaryPrimitives.WriteInt32LittleEndian(header[32..], Dim);
        BinaryPrimitives.WriteInt32LittleEndian(header[36..], (int)DataType);
        BinaryPrimitives.WriteInt32LittleEndian(header[40..], RowStride);
        HeaderCodec.Seal(header);
    }

    public static RowFileHeader Read(ReadOnlySpan<byte> header, long fileLength, string path)
    {
        HeaderCodec.Validate(header, TableFormat.RowsMagic, fileLength, path);
        var result = new RowFileHeader(
            BinaryPrimitives.ReadInt64LittleEndian(header[24..]),
            BinaryPrimitives.ReadInt32LittleEndian(header[32..]),
            (TensorDataType)BinaryPrimitives.ReadInt32LittleEndian(header[36..]),
            BinaryPrimitives.ReadInt32LittleEndian(header[40..]),
            HeaderCodec.PayloadChecksum(header),
            HeaderCodec.Version(header));
        if (!RowCodec.IsSupported(result.DataType) || result.Dim <= 0 || result.RowStride != RowCodec.RowStride(result.Dim, result.DataType))
        {
            throw new TableFormatException(path, $"unsupported row layout: dim {result.Dim}, type {result.DataType}, stride {result.RowStride}");
        }
        if (result.RowCount < 0 || result.RowCount > int.MaxValue || result.PayloadBytes != HeaderCodec.PayloadBytes(header))
        {
            throw new TableFormatException(path, "payload size does not match row count and stride");
        }
        return result;
    }
}
