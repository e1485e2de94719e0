using System.Buffers.Binary;
using RecServe.Core.Tensors;

namespace RecServe.Embeddings.Tables;

/// <summary>
/// How one row is encoded, little-endian, padded to a multiple of 4 bytes:
/// <see cref="TensorDataType.Float32"/>: <c>dim</c> floats;
/// <see cref="TensorDataType.Float16"/>: <c>dim</c> IEEE halves;
/// <see cref="TensorDataType.Int8"/>: float scale, float bias, then <c>dim</c> signed bytes q with value
/// <c>q × scale + bias</c> (one fused multiply-add, as the kernels compute it). The scalar decode here is the
/// reference the SIMD kernels are tested against.
/// </summary>
public static class RowCodec
{
    /// <summary>Offset of the quantised values in an int8 row (after scale and bias).</summary>
    public const int Int8ValuesOffset = 8;

    /// <summary>Whether rows can be stored as <paramref name="dataType"/>.</summary>
    public static bool IsSupported(TensorDataType dataType) =>
        dataType is TensorDataType.Float32 or TensorDataType.Float16 or TensorDataType.Int8;

    /// <summary>Bytes one encoded row of <paramref name="dim"/> values takes.</summary>
    public static int RowStride(int dim, TensorDataType dataType)
    {
        var raw = dataType switch
        {
            TensorDataType.Float32 => 4L * dim,
            TensorDataType.Float16 => 2L * dim,
            TensorDataType.Int8 => Int8ValuesOffset + (long)dim,
            _ => throw new ArgumentException($"rows cannot be stored as {dataType.DisplayName()}", nameof(dataType)),
        };
        return checked((int)((raw + 3) & ~3L));
    }

    /// <summary>Encodes <paramref name="row"/> into <paramref name="destination"/> (exactly one stride).</summary>
    /// <exception cref="ArgumentException">A value is not finite, or does not fit float16.</exception>
    public static void Encode(ReadOnlySpan<float> row, TensorDataType dataType, Span<byte> destination)
    {
        destination.Clear();
        foreach (var value in row)
        {
            if (!float.IsFinite(value) || (dataType == TensorDataType.Float16 && Math.Abs(value) > (float)Half.MaxValue))
            {
                throw new ArgumentException($"value {value} cannot be stored as {dataType.DisplayName()}", nameof(row));
            }
        }
        switch (dataType)
        {
            case TensorDataType.Float32:
                for (var i = 0; i < row.Length; i++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(destination[(4 * i)..], row[i]);
                }
                break;
            case TensorDataType.Float16:
                for (var i = 0; i < row.Length; i++)
                {
                    BinaryPrimitives.WriteHalfLittleEndian(destination[(2 * i)..], (Half)row[i]);
                }
                break;
            case TensorDataType.Int8:
                EncodeInt8(row, destination);
                break;
            default:
                throw new ArgumentException($"rows cannot be stored as {dataType.DisplayName()}", nameof(dataType));
        }
    }

    // Symmetric around the row's midpoint: q in [-127, 127], so the error is at most scale / 2.
    private static void EncodeInt8(ReadOnlySpan<float> row, Span<byte> destination)
    {
        var min = float.PositiveInfinity;
        var max = float.NegativeInfinity;
        foreach (var value in row)
        {
            min = Math.Min(min, value);
            max = Math.Max(max, value);
        }
        var bias = (float)(((double)min + max) / 2);
        var scale = (float)(((double)max - min) / 254);
        BinaryPrimitives.WriteSingleLittleEndian(destination, scale);
        BinaryPrimitives.WriteSingleLittleEndian(destination[4..], bias);
        var values = destination[Int8ValuesOffset..];
        for (var i = 0; i < row.Length; i++)
        {
            var q = scale > 0 ? Math.Round((row[i] - (double)bias) / scale) : 0;
            values[i] = (byte)(sbyte)Math.Clamp(q, -127, 127);
        }
    }

    /// <summary>Decodes one encoded row of <paramref name="destination"/>.Length values.</summary>
    public static void Decode(ReadOnlySpan<byte> source, TensorDataType dataType, Span<float> destination)
    {
        switch (dataType)
        {
            case TensorDataType.Float32:
                for (var i = 0; i < destination.Length; i++)
                {
                    destination[i] = BinaryPrimitives.ReadSingleLittleEndian(source[(4 * i)..]);
                }
                break;
            case TensorDataType.Float16:
                for (var i = 0; i < destination.Length; i++)
                {
                    destination[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(source[(2 * i)..]);
                }
                break;
            case TensorDataType.Int8:
                var scale = BinaryPrimitives.ReadSingleLittleEndian(source);
                var bias = BinaryPrimitives.ReadSingleLittleEndian(source[4..]);
                for (var i = 0; i < destination.Length; i++)
                {
                    destination[i] = MathF.FusedMultiplyAdd((sbyte)source[Int8ValuesOffset + i], scale, bias);
                }
                break;
            default:
                throw new ArgumentException($"rows cannot be stored as {dataType.DisplayName()}", nameof(dataType));
        }
    }
}
