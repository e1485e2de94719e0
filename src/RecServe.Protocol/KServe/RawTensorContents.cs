using System.Buffers.Binary;
using Google.Protobuf;
using RecServe.Core.Errors;
using RecServe.Core.Tensors;

namespace RecServe.Protocol.KServe;

/// <summary>
/// KServe v2's raw tensor encoding (<c>raw_input_contents</c> / <c>raw_output_contents</c>): fixed-size elements as
/// little-endian bytes in row-major order; BYTES elements each as a 4-byte little-endian length and then the bytes.
/// </summary>
public static class RawTensorContents
{
    private const int LengthPrefixBytes = 4;

    /// <summary>
    /// Makes a tensor of <paramref name="type"/> and <paramref name="shape"/> (holding <paramref name="count"/>
    /// elements) from <paramref name="raw"/>, with one copy; INVALID_ARGUMENT naming <paramref name="name"/> when the
    /// bytes do not hold exactly that many elements.
    /// </summary>
    public static Tensor Decode(string name, TensorDataType type, long[] shape, int count, ReadOnlySpan<byte> raw)
    {
        if (type == TensorDataType.String)
        {
            return Tensor.FromStrings(shape, DecodeStrings(name, shape, count, raw));
        }
        CheckLength(name, type, shape, count, raw);
        return Tensor.FromBytes(type, shape, raw);
    }

    /// <summary>INVALID_ARGUMENT unless <paramref name="raw"/> holds exactly <paramref name="count"/> fixed-size elements.</summary>
    internal static void CheckLength(string name, TensorDataType type, ReadOnlySpan<long> shape, int count, ReadOnlySpan<byte> raw)
    {
        var expected = (long)count * type.ElementSize();
        if (raw.Length != expected)
        {
            throw ServingException.InvalidArgument(
                $"raw_input_contents for input '{name}' has {raw.Length} bytes but shape {TensorShape.Format(shape)} of {KServeDataType.Name(type)} needs {expected}");
        }
    }

    /// <summary>The raw bytes of <paramref name="tensor"/>.</summary>
    public static ByteString Encode(Tensor tensor)
    {
        if (tensor.DataType != TensorDataType.String)
        {
            return ByteString.CopyFrom(tensor.Bytes);
        }
        var strings = tensor.Strings;
        long total = 0;
        foreach (var value in strings)
        {
            total += LengthPrefixBytes + value.Length;
        }
        var buffer = new byte[checked((int)total)];
        var offset = 0;
        foreach (var value in strings)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(offset), (uint)value.Length);
            offset += LengthPrefixBytes;
            value.CopyTo(buffer, offset);
            offset += value.Length;
        }
        // The buffer is new and never written again, so it can back the ByteString without a second copy.
        return UnsafeByteOperations.UnsafeWrap(buffer);
    }

    private static byte[][] DecodeStrings(string name, long[] shape, int count, ReadOnlySpan<byte> raw)
    {
        var values = new byte[count][];
        var offset = 0;
        for (var i = 0; i < count; i++)
        {
            if (raw.Length - offset < LengthPrefixBytes)
            {
                throw ServingException.InvalidArgument(
                    $"raw_input_contents for BYTES input '{name}' ends after {i} elements, but shape {TensorShape.Format(shape)} holds {count}");
            }
            var length = BinaryPrimitives.ReadUInt32LittleEndian(raw[offset..]);
            offset += LengthPrefixBytes;
            if (length > (uint)(raw.Length - offset))
            {
                throw ServingException.InvalidArgument(
                    $"raw_input_contents for BYTES input '{name}': element {i} claims {length} bytes but only {raw.Length - offset} remain");
            }
            values[i] = raw.Slice(offset, (int)length).ToArray();
            offset += (int)length;
        }
        if (offset != raw.Length)
        {
            throw ServingException.InvalidArgument(
                $"raw_input_contents for BYTES input '{name}' has {raw.Length - offset} bytes after the {count} elements that shape {TensorShape.Format(shape)} holds");
        }
        return values;
    }
}
