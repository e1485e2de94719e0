namespace RecServe.Protocol.TensorProto;

/// <summary>
/// Reads protobuf wire format from one span: tags, varints and length-delimited fields. Every read returns false
/// rather than throwing when the bytes are cut short or malformed, so that a caller can hand the message to
/// Google.Protobuf, whose parser words the error the client gets.
/// </summary>
public ref struct WireCursor(ReadOnlySpan<byte> bytes)
{
    /// <summary>Protobuf's wire types this reader knows (groups are not among them).</summary>
    public const int Varint = 0, Fixed64 = 1, LengthDelimited = 2, Fixed32 = 5;

    private readonly ReadOnlySpan<byte> _bytes = bytes;
    private int _position;

    /// <summary>Bytes read so far: where the next field starts.</summary>
    public readonly int Position => _position;

    /// <summary>Whether every byte has been read.</summary>
    public readonly bool AtEnd => _position >= _bytes.Length;

    /// <summary>The next field's number and wire type; false if the tag is malformed or names field 0.</summary>
    public bool TryReadTag(out int field, out int wireType)
    {
        field = wireType = 0;
        if (!TryReadVarint(out var tag) || tag > uint.MaxValue)
        {
            return false;
        }
        field = (int)(tag >> 3);
        wireType = (int)(tag & 7);
        return field > 0;
    }

    /// <summary>A varint of up to ten bytes.</summary>
    public bool TryReadVarint(out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64 && _position < _bytes.Length; shift += 7)
        {
            var b = _bytes[_position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>A length-delimited field's bytes.</summary>
    public bool TryReadLengthDelimited(out ReadOnlySpan<byte> value)
    {
        value = default;
        if (!TryReadVarint(out var length) || length > (ulong)(_bytes.Length - _position))
        {
            return false;
        }
        value = _bytes.Slice(_position, (int)length);
        _position += (int)length;
        return true;
    }

    /// <summary>
    /// The next field, which must be length-delimited (every field of a message made only of messages, strings and
    /// bytes is): false if it is not, or is malformed.
    /// </summary>
    public bool TryReadLengthDelimitedField(out int field, out ReadOnlySpan<byte> value)
    {
        value = default;
        return TryReadTag(out field, out var wireType) && wireType == LengthDelimited && TryReadLengthDelimited(out value);
    }

    /// <summary>Skips a field of <paramref name="wireType"/>; false for groups and unknown wire types.</summary>
    public bool TrySkip(int wireType)
    {
        switch (wireType)
        {
            case Varint:
                return TryReadVarint(out _);
            case LengthDelimited:
                return TryReadLengthDelimited(out _);
            case Fixed64:
                return TryAdvance(8);
            case Fixed32:
                return TryAdvance(4);
            default:
                return false;
        }
    }

    private bool TryAdvance(int count)
    {
        if (_bytes.Length - _position < count)
        {
            return false;
        }
        _position += count;
        return true;
    }

    /// <summary>
    /// The elements of <paramref name="shape"/>; false if a size is negative or the count passes
    /// <paramref name="limit"/> (checked factor by factor, so the product never overflows first).
    /// </summary>
    public static bool TryCountElements(ReadOnlySpan<long> shape, long limit, out long count)
    {
        count = 1;
        foreach (var size in shape)
        {
            if (size < 0 || (size != 0 && count > limit / size))
            {
                return false;
            }
            count *= size;
        }
        return count <= limit;
    }
}
