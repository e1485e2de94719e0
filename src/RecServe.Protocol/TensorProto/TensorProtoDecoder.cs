using System.Runtime.InteropServices;
using Google.Protobuf.Collections;
using RecServe.Core.Errors;
using RecServe.Core.Signatures;
using RecServe.Core.Tensors;
using Proto = Tensorflow.TensorProto;

namespace RecServe.Protocol.TensorProto;

/// <summary>
/// Turns a <see cref="Proto"/> into a <see cref="Tensor"/>. <c>tensor_content</c> is taken with one copy;
/// typed fields follow TensorFlow's rule: fewer values than elements repeat the last value, none means zeros.
/// </summary>
public static class TensorProtoDecoder
{
    /// <summary>
    /// Elements one tensor may hold unless the server is told otherwise (16 M: 64 MB of float32). Typed fields
    /// repeat their last value to fill the shape, so without a cap a request of a few bytes could ask for gigabytes.
    /// </summary>
    public const long DefaultMaxElements = 1L << 24;

    /// <summary>
    /// Decodes <paramref name="proto"/>; INVALID_ARGUMENT (naming <paramref name="name"/>) if it is malformed or
    /// its shape holds more than <paramref name="maxElements"/> elements.
    /// </summary>
    public static Tensor Decode(string name, Proto proto, long maxElements = DefaultMaxElements) => Decode(name, proto, maxElements, null);

    /// <summary>
    /// As <see cref="Decode(string, Proto, long)"/>, into the tensor <paramref name="into"/> keeps for input
    /// <paramref name="name"/> (string tensors excepted), so that a request like the last one allocates nothing. The
    /// tensor is added to <paramref name="into"/>'s inputs and belongs to it.
    /// </summary>
    public static Tensor DecodeInto(string name, Proto proto, long maxElements, InputTensorBuffers into)
    {
        ArgumentNullException.ThrowIfNull(into);
        return Decode(name, proto, maxElements, into);
    }

    /// <summary>
    /// Decodes every input of <paramref name="inputs"/> into <paramref name="into"/>, looking the names of
    /// <paramref name="expected"/> (and their sparse lengths inputs) up first: Google.Protobuf's map enumerator is an
    /// allocation, so a request holding only expected inputs is decoded without one. Inputs beyond those are decoded
    /// too (the pipeline then tells the client they are unknown). The caller clears <paramref name="into"/> when the
    /// request is done, also after an error. Returns whether every input came in <c>tensor_content</c>.
    /// </summary>
    public static bool DecodeAllInto(MapField<string, Proto> inputs, IReadOnlyList<TensorSpec> expected, long maxElements, InputTensorBuffers into)
    {
        var allContent = true;
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(into);
        for (var i = 0; i < expected.Count && into.Count < inputs.Count; i++)
        {
            var spec = expected[i];
            if (inputs.TryGetValue(spec.Name, out var proto) && !into.Contains(spec.Name))
            {
                Decode(spec.Name, proto, maxElements, into);
                allContent &= UsesTensorContent(proto);
            }
            if (spec.Sparse is { } sparse && inputs.TryGetValue(sparse.LengthsName, out var lengths) && !into.Contains(sparse.LengthsName))
            {
                Decode(sparse.LengthsName, lengths, maxElements, into);
                allContent &= UsesTensorContent(lengths);
            }
        }
        if (into.Count < inputs.Count)
        {
            foreach (var (name, proto) in inputs)
            {
                if (!into.Contains(name))
                {
                    Decode(name, proto, maxElements, into);
                    allContent &= UsesTensorContent(proto);
                }
            }
        }
        return allContent;
    }

    private static Tensor Decode(string name, Proto proto, long maxElements, InputTensorBuffers? into)
    {
        var type = DataTypeMapping.ToTensorDataType(proto.Dtype, name);
        var rank = proto.TensorShape?.Dim.Count ?? 0;
        var shape = rank <= 8 ? stackalloc long[8] : new long[rank];
        shape = shape[..rank];
        DecodeShape(name, proto, shape);
        long count;
        try
        {
            count = TensorShape.ElementCount(shape);
        }
        catch (OverflowException)
        {
            throw ServingException.InvalidArgument($"tensor '{name}' has a shape {TensorShape.Format(shape)} too large to hold");
        }
        // The byte count bounds fixed-size tensors too: one buffer holds them (count <= int.MaxValue, so no overflow).
        if (count > int.MaxValue || count * type.ElementSize() > Array.MaxLength)
        {
            throw ServingException.InvalidArgument($"tensor '{name}' has {count} elements, more than one tensor may hold");
        }
        if (count > maxElements)
        {
            throw ServingException.InvalidArgument(
                $"tensor '{name}' has shape {TensorShape.Format(shape)} ({count} elements), more than the server's limit of {maxElements} elements per tensor (--max_tensor_elements)");
        }

        if (type == TensorDataType.String)
        {
            var strings = DecodeStrings(name, proto, shape.ToArray(), (int)count);
            into?.AddOwned(name, strings);
            return strings;
        }
        if (!proto.TensorContent.IsEmpty)
        {
            var expected = count * type.ElementSize();
            if (proto.TensorContent.Length != expected)
            {
                throw ServingException.InvalidArgument(
                    $"tensor '{name}' has {proto.TensorContent.Length} bytes of tensor_content but shape {TensorShape.Format(shape)} of {type.DisplayName()} needs {expected}");
            }
            var copy = into is null ? Tensor.Allocate(type, shape.ToArray()) : into.Take(name, type, shape, clear: false);
            proto.TensorContent.Span.CopyTo(copy.Bytes);
            return copy;
        }

        // No values means zeros: a kept buffer must be cleared then.
        var tensor = into is null ? Tensor.Allocate(type, shape.ToArray()) : into.Take(name, type, shape, clear: true);
        try
        {
            switch (type)
            {
                case TensorDataType.Float32: Fill(name, proto.FloatVal, tensor.AsSpan<float>()); break;
                case TensorDataType.Float64: Fill(name, proto.DoubleVal, tensor.AsSpan<double>()); break;
                case TensorDataType.Int64: Fill(name, proto.Int64Val, tensor.AsSpan<long>()); break;
                case TensorDataType.Int32: Fill(name, proto.IntVal, tensor.AsSpan<int>()); break;
                case TensorDataType.Bool: FillConverted(name, proto.BoolVal, tensor.AsSpan<byte>(), static v => v ? (byte)1 : (byte)0); break;
                case TensorDataType.Int8: FillConverted(name, proto.IntVal, tensor.AsSpan<sbyte>(), static v => unchecked((sbyte)v)); break;
                case TensorDataType.UInt8: FillConverted(name, proto.IntVal, tensor.AsSpan<byte>(), static v => unchecked((byte)v)); break;
                case TensorDataType.Float16: FillConverted(name, proto.HalfVal, tensor.AsSpan<ushort>(), static v => unchecked((ushort)v)); break;
                default: throw ServingException.InvalidArgument($"tensor '{name}' has an unsupported dtype");
            }
            return tensor;
        }
        catch
        {
            // A kept tensor stays with its buffers (the caller clears them); a new one goes back now.
            if (into is null)
            {
                tensor.Dispose();
            }
            throw;
        }
    }

    private static void DecodeShape(string name, Proto proto, Span<long> shape)
    {
        var shapeProto = proto.TensorShape;
        if (shapeProto is null)
        {
            return;
        }
        if (shapeProto.UnknownRank)
        {
            throw ServingException.InvalidArgument($"tensor '{name}' has an unknown rank; a request tensor needs a full shape");
        }
        for (var i = 0; i < shape.Length; i++)
        {
            var size = shapeProto.Dim[i].Size;
            if (size < 0)
            {
                throw ServingException.InvalidArgument($"tensor '{name}' has dimension {i} of size {size}; sizes must be non-negative");
            }
            shape[i] = size;
        }
    }

    private static void Fill<T>(string name, RepeatedField<T> values, Span<T> target) where T : unmanaged
    {
        CheckCount(name, values.Count, target.Length);
        for (var i = 0; i < target.Length && i < values.Count; i++)
        {
            target[i] = values[i];
        }
        RepeatLast(values.Count, target);
    }

    private static void FillConverted<TIn, TOut>(string name, RepeatedField<TIn> values, Span<TOut> target, Func<TIn, TOut> convert)
        where TOut : unmanaged
    {
        CheckCount(name, values.Count, target.Length);
        for (var i = 0; i < target.Length && i < values.Count; i++)
        {
            target[i] = convert(values[i]);
        }
        RepeatLast(values.Count, target);
    }

    private static void RepeatLast<T>(int given, Span<T> target)
    {
        if (given > 0 && given < target.Length)
        {
            target[given..].Fill(target[given - 1]);
        }
    }

    private static void CheckCount(string name, int given, int expected)
    {
        if (given > expected)
        {
            throw ServingException.InvalidArgument(
                $"tensor '{name}' has {given} values but its shape holds {expected}");
        }
    }

    private static Tensor DecodeStrings(string name, Proto proto, long[] shape, int count)
    {
        var values = proto.StringVal;
        CheckCount(name, values.Count, count);
        var strings = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            strings[i] = values.Count == 0 ? [] : values[Math.Min(i, values.Count - 1)].ToByteArray();
        }
        return Tensor.FromStrings(shape, strings);
    }

    /// <summary>Whether the tensor carries its values in <c>tensor_content</c>.</summary>
    public static bool UsesTensorContent(Proto proto) => !proto.TensorContent.IsEmpty;

    internal static ReadOnlySpan<byte> AsBytes<T>(ReadOnlySpan<T> values) where T : unmanaged => MemoryMarshal.AsBytes(values);
}
