using System.Buffers;
using System.Runtime.InteropServices;

namespace RecServe.Core.Tensors;

/// <summary>
/// A dense tensor: element type, shape, and either little-endian element bytes (fixed-size types: rented from
/// <see cref="ArrayPool{T}.Shared"/> up to <see cref="TensorBuffers.PooledMaxBytes"/>, native memory above) or one
/// byte string per element (<see cref="TensorDataType.String"/>). Dispose returns or frees the bytes; a tensor must
/// not be used after that.
/// </summary>
public sealed class Tensor : IDisposable
{
    // A pooled byte[] or, for large tensors, a NativeTensorMemory; null once disposed (and for string tensors).
    private object? _storage;
    private readonly int _byteLength;
    private readonly byte[][]? _strings;
    // Set for a tensor over bytes someone else owns (a predictor's bound output): Dispose leaves them alone.
    private readonly bool _borrowed;

    private Tensor(TensorDataType dataType, long[] shape, object? storage, int byteLength, byte[][]? strings, bool borrowed = false)
    {
        _borrowed = borrowed;
        DataType = dataType;
        Shape = shape;
        _storage = storage;
        _byteLength = byteLength;
        _strings = strings;
        ElementCount = TensorShape.ElementCount(shape);
    }

    /// <summary>
    /// Bytes of large tensors (over 1 MiB, held in native memory) not yet
    /// disposed, process-wide: 0 whenever no request is in flight, so a leak shows.
    /// </summary>
    public static long LargeTensorBytesInUse => NativeTensorMemory.BytesInUse;

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
            return _storage switch
            {
                byte[] buffer => buffer.AsSpan(0, _byteLength),
                NativeTensorMemory native => native.GetSpan(),
                _ => throw new ObjectDisposedException(nameof(Tensor)),
            };
        }
    }

    /// <summary>The element bytes as memory, for APIs that pin it.</summary>
    public Memory<byte> Memory
    {
        get
        {
            return _storage switch
            {
                byte[] buffer => buffer.AsMemory(0, _byteLength),
                NativeTensorMemory native => native.Memory,
                _ => throw new ObjectDisposedException(nameof(Tensor)),
            };
        }
    }

    /// <summary>The values of a string tensor, one byte string per element.</summary>
    public byte[][] Strings => _strings ?? throw new InvalidOperationException($"a {DataType.DisplayName()} tensor has no string values");

    /// <summary>Views the element bytes as values of type <typeparamref name="T"/>.</summary>
    public Span<T> AsSpan<T>() where T : unmanaged => MemoryMarshal.Cast<byte, T>(Bytes);

    /// <summary>Allocates a zero-filled fixed-size tensor over pooled (or, when large, native) memory.</summary>
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
        if (byteLength > TensorBuffers.PooledMaxBytes)
        {
            return new Tensor(dataType, shape, new NativeTensorMemory(byteLength), byteLength, null);
        }
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

    /// <summary>Returns the pooled buffer or frees the native one (nothing for a tensor made by <see cref="OverBuffer"/>).</summary>
    public void Dispose()
    {
        if (_borrowed)
        {
            return;
        }
        switch (Interlocked.Exchange(ref _storage, null))
        {
            case byte[] buffer:
                TensorBuffers.Return(buffer);
                break;
            case NativeTensorMemory native:
                ((IDisposable)native).Dispose();
                break;
        }
    }
}
