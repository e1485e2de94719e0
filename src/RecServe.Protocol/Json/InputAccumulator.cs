using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using RecServe.Core.Errors;
using RecServe.Core.Signatures;
using RecServe.Core.Tensors;

namespace RecServe.Protocol.Json;

/// <summary>
/// Collects one input's values in row-major order while the JSON is read, so that no DOM is built: fixed-size
/// values go into a pooled byte buffer that doubles as needed, strings into a list. The tensor is made at the end,
/// once the shape is known.
/// </summary>
internal sealed class InputAccumulator : IDisposable
{
    private const int InitialBytes = 256;

    private byte[] _buffer = [];
    private long[]? _shapeStore;
    private int _byteCount;
    // Values of a string input; kept (empty) when the accumulator is retargeted to a fixed-size input.
    private List<byte[]>? _strings;
    private bool _isString;

    public InputAccumulator(TensorSpec spec, byte[] utf8Name, bool optional = false)
    {
        Utf8Name = utf8Name;
        Optional = optional;
        Retarget(spec);
    }

    /// <summary>
    /// Points the accumulator (empty: new or <see cref="Reset"/>) at another input, keeping its buffer: KServe v2 requests
    /// name and type their inputs themselves, so one accumulator serves each input of a request in turn.
    /// </summary>
    [MemberNotNull(nameof(Spec))]
    public void Retarget(TensorSpec spec)
    {
        Spec = spec;
        _isString = spec.DataType == TensorDataType.String;
        if (_isString)
        {
            _strings ??= [];
        }
        else if (spec.DataType.ElementSize() == 0)
        {
            throw ServingException.InvalidArgument(
                $"input '{spec.Name}' has type {spec.DataType.DisplayName()}, which the JSON API cannot carry");
        }
    }

    /// <summary>Whether a request may leave this input out (a sparse feature's lengths).</summary>
    public bool Optional { get; }

    /// <summary>The signature's description of this input.</summary>
    public TensorSpec Spec { get; private set; }

    /// <summary>The input name as UTF-8, compared against JSON keys without decoding them.</summary>
    public byte[] Utf8Name { get; }

    /// <summary>The input name.</summary>
    public string Name => Spec.Name;

    /// <summary>Element type that JSON values are converted to.</summary>
    public TensorDataType DataType => Spec.DataType;

    /// <summary>
    /// Shape of the first value read for this input: one row's shape in row format, the whole tensor's in
    /// columnar format. Null until a value has been read.
    /// </summary>
    public long[]? ItemShape { get; private set; }

    /// <summary>The last row (or -1) in which this input was given; finds duplicate and missing keys.</summary>
    public int LastRow { get; set; } = -1;

    /// <summary>Appends one fixed-size value.</summary>
    public void Append<T>(T value) where T : unmanaged
    {
        var size = Unsafe.SizeOf<T>();
        if (_buffer.Length - _byteCount < size)
        {
            Grow(size);
        }
        MemoryMarshal.Write(_buffer.AsSpan(_byteCount), in value);
        _byteCount += size;
    }

    /// <summary>Bytes of fixed-size values appended so far.</summary>
    public int ByteCount => _byteCount;

    /// <summary>Drops the fixed-size values appended after <see cref="ByteCount"/> was <paramref name="byteCount"/>.</summary>
    public void TruncateTo(int byteCount)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(byteCount, _byteCount);
        _byteCount = byteCount;
    }

    /// <summary>Appends one string value (not copied).</summary>
    public void AppendString(byte[] value) => _strings!.Add(value);

    /// <summary>Records the shape of the value just read (of each row, in row format), reusing the last request's array.</summary>
    public void SetItemShape(ReadOnlySpan<long> shape)
    {
        if (_shapeStore is null || _shapeStore.Length != shape.Length)
        {
            _shapeStore = shape.ToArray();
        }
        else
        {
            shape.CopyTo(_shapeStore);
        }
        ItemShape = _shapeStore;
    }

    /// <summary>Readies the accumulator for the next request, keeping its buffer (up to a size).</summary>
    public void Reset()
    {
        _byteCount = 0;
        ItemShape = null;
        LastRow = -1;
        _strings?.Clear();
        if (_buffer.Length > TensorSlot.DefaultKeptBytes)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    /// <summary>
    /// Puts the values into <paramref name="into"/>'s kept tensor for this input (a string input into a new tensor
    /// that <paramref name="into"/> disposes).
    /// </summary>
    public void ToTensorInto(ReadOnlySpan<long> shape, InputTensorBuffers into)
    {
        if (_isString)
        {
            into.AddOwned(Name, Tensor.FromStrings(shape.ToArray(), _strings!.ToArray()));
            return;
        }
        var expected = TensorShape.ElementCount(shape) * DataType.ElementSize();
        if (expected != _byteCount)
        {
            throw new ArgumentException(
                $"{_byteCount} bytes do not fill a {DataType.DisplayName()} tensor of shape {TensorShape.Format(shape)}");
        }
        _buffer.AsSpan(0, _byteCount).CopyTo(into.Take(Name, DataType, shape, clear: false).Bytes);
    }

    /// <summary>Makes the tensor; <paramref name="shape"/> must hold exactly the values appended.</summary>
    public Tensor ToTensor(long[] shape)
    {
        if (_isString)
        {
            return Tensor.FromStrings(shape, _strings!.ToArray());
        }
        return Tensor.FromBytes(DataType, shape, _buffer.AsSpan(0, _byteCount));
    }

    /// <summary>Returns the pooled buffer.</summary>
    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        _byteCount = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Grow(int extra)
    {
        var needed = (long)_byteCount + extra;
        var size = Math.Max(Math.Max((long)_buffer.Length * 2, InitialBytes), needed);
        if (size > Array.MaxLength)
        {
            if (needed > Array.MaxLength)
            {
                throw ServingException.ResourceExhausted(
                    $"input '{Name}' holds more than {Array.MaxLength} bytes of values, more than one tensor can hold");
            }
            size = Array.MaxLength;
        }
        var next = ArrayPool<byte>.Shared.Rent((int)size);
        _buffer.AsSpan(0, _byteCount).CopyTo(next);
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }
        _buffer = next;
    }
}
