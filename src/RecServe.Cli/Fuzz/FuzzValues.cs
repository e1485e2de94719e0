using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using RecServe.Core.Tensors;

namespace RecServe.Cli.Fuzz;

/// <summary>Converts generated values (doubles) into each element type, as bytes or as typed values.</summary>
internal static class FuzzValues
{
    /// <summary>The text a string tensor carries for <paramref name="value"/>.</summary>
    public static string Text(double value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Little-endian element bytes of <paramref name="values"/> as <paramref name="type"/>; strings as KServe's
    /// length-prefixed elements. Conversions to integers saturate (NaN becomes 0).
    /// </summary>
    public static byte[] Pack(TensorDataType type, double[] values)
    {
        using var bytes = new MemoryStream();
        Span<byte> scratch = stackalloc byte[8];
        foreach (var value in values)
        {
            switch (type)
            {
                case TensorDataType.Float64:
                    BinaryPrimitives.WriteDoubleLittleEndian(scratch, value);
                    bytes.Write(scratch[..8]);
                    break;
                case TensorDataType.Float16:
                    BinaryPrimitives.WriteHalfLittleEndian(scratch, (Half)value);
                    bytes.Write(scratch[..2]);
                    break;
                case TensorDataType.Int8:
                case TensorDataType.UInt8:
                case TensorDataType.Bool:
                    bytes.WriteByte(type == TensorDataType.Bool ? (byte)(value != 0 ? 1 : 0) : unchecked((byte)(long)value));
                    break;
                case TensorDataType.Int32:
                    BinaryPrimitives.WriteInt32LittleEndian(scratch, (int)value);
                    bytes.Write(scratch[..4]);
                    break;
                case TensorDataType.Int64:
                    BinaryPrimitives.WriteInt64LittleEndian(scratch, (long)value);
                    bytes.Write(scratch[..8]);
                    break;
                case TensorDataType.String:
                    var utf8 = Encoding.UTF8.GetBytes(Text(value));
                    BinaryPrimitives.WriteInt32LittleEndian(scratch, utf8.Length);
                    bytes.Write(scratch[..4]);
                    bytes.Write(utf8);
                    break;
                default:
                    BinaryPrimitives.WriteSingleLittleEndian(scratch, (float)value);
                    bytes.Write(scratch[..4]);
                    break;
            }
        }
        return bytes.ToArray();
    }

    /// <summary>Whether <paramref name="type"/> is written as JSON numbers with a fraction (not integers or booleans).</summary>
    public static bool IsFloatingPoint(TensorDataType type) =>
        type is TensorDataType.Float32 or TensorDataType.Float64 or TensorDataType.Float16 or TensorDataType.Invalid;
}
