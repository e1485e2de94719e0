using System.Buffers;
using System.Runtime.InteropServices;

namespace RecServe.Core.Tensors;

/// <summary>
/// A dense tensor: element type, shape, and either little-endian element bytes (fixed-size types, rented from
/// <see cref="ArrayPool{T}.Shared"/>) or one byte string per element (<see cref="TensorDataType.String"/>).
/// Dispose returns the rented buffer; a tensor must not be used after that.
/// </summary>
public sealed class Tensor : IDisposable
{
    private byte[]? _buffer;
    private readonly int _byteLength;
    private readonly byte[][]? _strings;
    // Set for a tensor over bytes someone else owns (a predictor's bound output): Dispose leaves them alone.
    private readonly bool _borrowed;

    private Tensor(TensorDataType dataType, long[] shape, byte[]? buffer, int byteLength, byte[][]? strings, bool borrowed = false)
    {
        _borrowed = borrowed;
        DataType = dataType;
        Shape = shape;
        _buffer = buffer;
        _byteLength = byteLength;
        _strings = strings;
        ElementCount = TensorShape.ElementCount(shape);
    }

    /// <summary>Element type.</summary>
    public TensorDataType DataType { get; }

    /// <summary>Dimensions; every entry is non-negative.</summary>
    public long[] Shape { get; }

    /// <summary>Number of elements (product of <see cref="Shape"/>).</summary>
    public long ElementCount { get; }

    /// <summary>Element bytes of a fixed-size tensor, little-endian, row-major.</summary>
    public Span<byte> Bytes
    {
        get
        {
            if (_strings is not null)
            {
                throw new InvalidOperationException("a string tensor has no fixed-size element bytes");
            }
            var buffer = _buffer ?? throw new ObjectDisposedException(nameof(Tensor));
            return buffer.AsSpan(0, _byteLength);
        }
    }

    /// <summary>The element bytes as memory, for APIs that pin it.</summary>
    public Memory<byte> Memory
    {
        get
        {
            var buffer = _buffer ?? throw new ObjectDisposedException(nameof(Tensor));
            return buffer.AsMemory(0, _byteLength);
        }
    }

    /// <summary>The values of a string tensor, one byte string per element.</summary>
    public byte[][] Strings => _strings ?? throw new InvalidOperationException($"a {DataType.DisplayName()} tensor has no string values");

    /// <summary>Views the element bytes as values of type <typeparamref name="T"/>.</summary>
    public Span<T> AsSpan<T>() where T : unmanaged => MemoryMarshal.Cast<byte, T>(Bytes);

    /// <summary>Allocates a zero-filled fixed-size tensor over pooled memory.</summary>
    public static Tensor Allocate(TensorDataType dataType, long[] shape)
    {
        if (dataType == TensorDataType.String)
        {
            var count = checked((int)TensorShape.ElementCount(shape));
            var values = new byte[count][];
            Array.Fill(values, Array.Empty<byte>());
            return new Tensor(dataType, shape, null, 0, values);
        }
        var elementSize = dataType.ElementSize();
        if (elementSize == 0)
        {
            throw new ArgumentException($"cannot allocate a tensor of type {dataType}");
        }
        var byteLength = checked((int)(TensorShape.ElementCount(shape) * elementSize));
        var buffer = TensorBuffers.Rent(byteLength);
        buffer.AsSpan(0, byteLength).Clear();
        return new Tensor(dataType, shape, buffer, byteLength, null);
    }

    /// <summary>Creates a fixed-size tensor holding a copy of <paramref name="bytes"/>.</summary>
    public static Tensor FromBytes(TensorDataType dataType, long[] shape, ReadOnlySpan<byte> bytes)
    {
        var tensor = Allocate(dataType, shape);
        if (bytes.Length != tensor._byteLength)
        {
            tensor.Dispose();
            throw new ArgumentException(
                $"{bytes.Length} bytes do not fill a {dataType.DisplayName()} tensor of shape {TensorShape.Format(shape)}");
        }
        bytes.CopyTo(tensor.Bytes);
        return tensor;
    }

    /// <summary>Creates a fixed-size tensor holding a copy of <paramref name="values"/>.</summary>
    public static Tensor FromValues<T>(TensorDataType dataType, long[] shape, ReadOnlySpan<T> values) where T : unmanaged
        => FromBytes(dataType, shape, MemoryMarshal.AsBytes(values));

    /// <summary>
    /// Creates a fixed-size tensor over the first bytes of <paramref name="buffer"/>, which the caller owns and keeps
    /// valid (a predictor's buffer that ONNX Runtime writes into): Dispose does nothing, so the owner can hand out the
    /// same tensor again, and the bytes never go to the shared pool.
    /// </summary>
    public static Tensor OverBuffer(TensorDataType dataType, long[] shape, byte[] buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        var elementSize = dataType.ElementSize();
        if (elementSize == 0)
        {
            throw new ArgumentException($"a {dataType.DisplayName()} tensor has no fixed-size element bytes");
        }
        var byteLength = checked((int)(TensorShape.ElementCount(shape) * elementSize));
        if (byteLength > buffer.Length)
        {
            throw new ArgumentException($"{buffer.Length} bytes cannot hold a {dataType.DisplayName()} tensor of shape {TensorShape.Format(shape)}");
        }
        return new Tensor(dataType, shape, buffer, byteLength, null, borrowed: true);
    }

    /// <summary>Creates a string tensor over <paramref name="values"/> (not copied).</summary>
    public static Tensor FromStrings(long[] shape, byte[][] values)
    {
        if (values.LongLength != TensorShape.ElementCount(shape))
        {
            throw new ArgumentException($"{values.Length} strings do not fill a tensor of shape {TensorShape.Format(shape)}");
        }
        return new Tensor(TensorDataType.String, shape, null, 0, values);
    }

    /// <summary>Returns the pooled buffer (nothing for a tensor made by <see cref="OverBuffer"/>).</summary>
    public void Dispose()
    {
        if (_borrowed)
        {
            return;
        }
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null)
        {
            TensorBuffers.Return(buffer);
        }
    }
}
