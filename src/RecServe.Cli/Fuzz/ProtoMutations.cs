using CsCheck;

namespace RecServe.Cli.Fuzz;

/// <summary>
/// Byte-level mutations of an encoded protobuf message: truncation, flipped bytes, wrong wire types, length
/// prefixes larger than the message, unknown fields, and the same inside a nested message (re-framed, so that
/// the damage reaches the inner decoder).
/// </summary>
internal static class ProtoMutations
{
    private static readonly ulong[] HugeLengths = [int.MaxValue, uint.MaxValue, 1UL << 35, ulong.MaxValue >> 1, ulong.MaxValue];

    /// <summary>A mutation of <paramref name="message"/>, with a short description of what was done.</summary>
    public static Gen<(byte[] Bytes, string What)> Mutate(byte[] message) => Mutate(message, depth: 0);

    private static Gen<(byte[] Bytes, string What)> Mutate(byte[] message, int depth)
    {
        var fields = ProtoFields.Read(message);
        var delimited = fields.Where(f => f.WireType == 2).ToArray();
        var choices = new List<(int, IGen<(byte[], string)>)>
        {
            (3, Truncate(message)),
            (3, Flip(message)),
            (1, Gen.Byte.Array[0, 64].Select(b => (b, "random bytes"))),
            (2, UnknownField(message, fields)),
        };
        if (fields.Length > 0)
        {
            choices.Add((3, WireType(message, fields)));
        }
        if (delimited.Length > 0)
        {
            choices.Add((3, HugeLength(message, delimited)));
            if (depth < 4)
            {
                choices.Add((6, Nested(message, delimited, depth)));
            }
        }
        return Gen.Frequency([.. choices]);
    }

    private static Gen<(byte[], string)> Truncate(byte[] message) => message.Length == 0
        ? Gen.Const((message, "truncated (empty)"))
        : Gen.Int[0, message.Length - 1].Select(n => (message[..n], $"truncated to {n} of {message.Length} bytes"));

    private static Gen<(byte[], string)> Flip(byte[] message) => message.Length == 0
        ? Gen.Const((new byte[] { 0xFF }, "flipped (one byte)"))
        : Gen.Select(Gen.Int[0, message.Length - 1], Gen.Byte.Where(b => b != 0), (at, mask) =>
        {
            var copy = message.ToArray();
            copy[at] ^= mask;
            return (copy, $"byte {at} xor 0x{mask:X2}");
        });

    private static Gen<(byte[], string)> WireType(byte[] message, ProtoField[] fields) =>
        Gen.Select(Gen.Int[0, fields.Length - 1], Gen.Int[0, 7], (i, wireType) =>
        {
            var field = fields[i];
            var copy = message.ToArray();
            // The wire type is the low three bits of the tag's first byte.
            copy[field.TagOffset] = (byte)((copy[field.TagOffset] & ~7) | wireType);
            return (copy, $"field {field.Number} at {field.TagOffset} gets wire type {wireType} (was {field.WireType})");
        });

    private static Gen<(byte[], string)> HugeLength(byte[] message, ProtoField[] delimited) =>
        Gen.Select(Gen.Int[0, delimited.Length - 1], Gen.OneOf(HugeLengths), (i, length) =>
        {
            var field = delimited[i];
            var copy = Splice(message, field.LengthOffset, field.ValueOffset, Varint(length));
            return (copy, $"field {field.Number} at {field.TagOffset} declares length {length} (was {field.ValueLength})");
        });

    private static Gen<(byte[], string)> UnknownField(byte[] message, ProtoField[] fields) =>
        Gen.Select(Gen.Int[0, fields.Length], Gen.Int[16, (1 << 29) - 1], Gen.Int[0, 5], Gen.Byte.Array[0, 16], (at, number, wireType, payload) =>
        {
            var offset = at < fields.Length ? fields[at].TagOffset : message.Length;
            byte[] value = wireType switch
            {
                0 => Varint((ulong)payload.Length),
                1 => ((byte[])[.. payload, .. new byte[8]])[..8],
                2 => [.. Varint((ulong)payload.Length), .. payload],
                5 => ((byte[])[.. payload, .. new byte[4]])[..4],
                // Groups (3, 4) are deprecated: an unmatched start or end group is its own kind of damage.
                _ => [],
            };
            var field = (byte[])[.. Varint(((ulong)number << 3) | (uint)wireType), .. value];
            return (Splice(message, offset, offset, field), $"unknown field {number} wire type {wireType} at {offset}");
        });

    private static Gen<(byte[], string)> Nested(byte[] message, ProtoField[] delimited, int depth) =>
        Gen.Int[0, delimited.Length - 1].SelectMany(i =>
        {
            var field = delimited[i];
            var inner = message[field.ValueOffset..(field.ValueOffset + field.ValueLength)];
            return Mutate(inner, depth + 1).Select(mutated =>
            {
                var framed = (byte[])[.. Varint((ulong)mutated.Bytes.Length), .. mutated.Bytes];
                return (Splice(message, field.LengthOffset, field.ValueOffset + field.ValueLength, framed), $"in field {field.Number}: {mutated.What}");
            });
        });

    private static byte[] Splice(byte[] message, int from, int to, ReadOnlySpan<byte> replacement) =>
        [.. message.AsSpan(0, from), .. replacement, .. message.AsSpan(to)];

    /// <summary>The base-128 varint encoding of <paramref name="value"/>.</summary>
    public static byte[] Varint(ulong value)
    {
        var bytes = new List<byte>(10);
        do
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);
        return [.. bytes];
    }
}
