using System.Buffers.Binary;
using System.Runtime.InteropServices;
using RecServe.Import.Onnx.Proto;

namespace RecServe.Import.Onnx;

/// <summary>Reads the values of constant tensors (initializers and Constant nodes) whichever field holds them.</summary>
internal static class TensorValues
{
    /// <summary>The element count the dimensions describe.</summary>
    public static long ElementCount(TensorProto tensor)
    {
        long count = 1;
        foreach (var d in tensor.Dims)
        {
            count *= d;
        }
        return count;
    }

    /// <summary>Integer values of an int64 or int32 tensor (axes, clip bounds, shapes); null for other types.</summary>
    public static long[]? ReadIntegers(TensorProto tensor)
    {
        switch ((TensorProto.Types.DataType)tensor.DataType)
        {
            case TensorProto.Types.DataType.Int64:
                return tensor.HasRawData ? MemoryMarshal.Cast<byte, long>(tensor.RawData.Span).ToArray() : [.. tensor.Int64Data];
            case TensorProto.Types.DataType.Int32:
                if (tensor.HasRawData)
                {
                    var ints = MemoryMarshal.Cast<byte, int>(tensor.RawData.Span);
                    var values = new long[ints.Length];
                    for (var i = 0; i < ints.Length; i++)
                    {
                        values[i] = ints[i];
                    }
                    return values;
                }
                return tensor.Int32Data.Select(v => (long)v).ToArray();
            default:
                return null;
        }
    }

    /// <summary>Whether <paramref name="dataType"/> (an ONNX element type) can become an embedding table.</summary>
    public static bool IsFloatingPoint(int dataType) => (TensorProto.Types.DataType)dataType is
        TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Float16 or TensorProto.Types.DataType.Double;

    /// <summary>
    /// The values of a floating-point tensor as float32, whichever field or external file holds them; float16
    /// and float64 are converted.
    /// </summary>
    /// <param name="tensor">An initializer.</param>
    /// <param name="modelFolder">Folder external data paths are relative to.</param>
    public static ReadOnlyMemory<float> ReadFloats(TensorProto tensor, string modelFolder)
    {
        var count = ElementCount(tensor);
        var type = (TensorProto.Types.DataType)tensor.DataType;
        ReadOnlyMemory<byte> raw;
        if (tensor.DataLocation == TensorProto.Types.DataLocation.External)
        {
            raw = ReadExternal(tensor, modelFolder);
        }
        else if (tensor.HasRawData)
        {
            raw = tensor.RawData.Memory;
        }
        else
        {
            return type switch
            {
                TensorProto.Types.DataType.Float => tensor.FloatData.ToArray(),
                TensorProto.Types.DataType.Double => tensor.DoubleData.Select(v => (float)v).ToArray(),
                // float16 values are stored as their bit patterns in int32_data.
                TensorProto.Types.DataType.Float16 => tensor.Int32Data.Select(v => (float)BitConverter.UInt16BitsToHalf((ushort)v)).ToArray(),
                _ => throw new InvalidDataException($"initializer '{tensor.Name}' is not floating point"),
            };
        }
        var elementSize = type switch
        {
            TensorProto.Types.DataType.Float => 4,
            TensorProto.Types.DataType.Double => 8,
            TensorProto.Types.DataType.Float16 => 2,
            _ => throw new InvalidDataException($"initializer '{tensor.Name}' is not floating point"),
        };
        if (raw.Length != count * elementSize)
        {
            throw new InvalidDataException($"initializer '{tensor.Name}' holds {raw.Length} bytes, its shape needs {count * elementSize}");
        }
        return type switch
        {
            TensorProto.Types.DataType.Float => AsFloats(raw),
            TensorProto.Types.DataType.Double => ConvertDoubles(raw.Span),
            _ => ConvertHalves(raw.Span),
        };
    }

    private static ReadOnlyMemory<float> AsFloats(ReadOnlyMemory<byte> raw)
    {
        // ByteString memory is not guaranteed 4-byte aligned, and a reinterpreting Memory<T> needs an array, so
        // copy once; the table writer streams from this buffer.
        var values = new float[raw.Length / 4];
        raw.Span.CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    private static float[] ConvertDoubles(ReadOnlySpan<byte> raw)
    {
        var values = new float[raw.Length / 8];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(raw.Slice(i * 8));
        }
        return values;
    }

    private static float[] ConvertHalves(ReadOnlySpan<byte> raw)
    {
        var values = new float[raw.Length / 2];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(raw.Slice(i * 2));
        }
        return values;
    }

    private static byte[] ReadExternal(TensorProto tensor, string modelFolder)
    {
        string? location = null;
        long offset = 0;
        long length = -1;
        foreach (var entry in tensor.ExternalData)
        {
            switch (entry.Key)
            {
                case "location": location = entry.Value; break;
                case "offset": offset = long.Parse(entry.Value, System.Globalization.CultureInfo.InvariantCulture); break;
                case "length": length = long.Parse(entry.Value, System.Globalization.CultureInfo.InvariantCulture); break;
            }
        }
        if (string.IsNullOrEmpty(location) || Path.IsPathRooted(location) || location.Contains(".."))
        {
            throw new InvalidDataException($"initializer '{tensor.Name}' has external data at '{location}', expected a path inside the model's folder");
        }
        using var file = File.OpenRead(Path.Combine(modelFolder, location));
        if (length < 0)
        {
            length = file.Length - offset;
        }
        var bytes = new byte[length];
        file.Position = offset;
        file.ReadExactly(bytes);
        return bytes;
    }
}
