namespace RecServe.Cli.Fuzz;

/// <summary>Splits an encoded protobuf message into its top-level fields, without a schema.</summary>
internal static class ProtoFields
{
    /// <summary>The fields of <paramref name="message"/> up to the first one that does not parse.</summary>
    public static ProtoField[] Read(ReadOnlySpan<byte> message)
    {
        var fields = new List<ProtoField>();
        var at = 0;
        while (at < message.Length)
        {
            var tagOffset = at;
            if (!TryVarint(message, ref at, out var tag) || tag >> 3 is 0 or > int.MaxValue)
            {
                break;
            }
            var wireType = (int)(tag & 7);
            var lengthOffset = at;
            ulong length;
            switch (wireType)
            {
                case 0:
                    if (!TryVarint(message, ref at, out _))
                    {
                        return [.. fields];
                    }
                    length = (ulong)(at - lengthOffset);
                    at = lengthOffset;
                    break;
                case 1:
                    length = 8;
                    break;
                case 2:
                    if (!TryVarint(message, ref at, out length))
                    {
                        return [.. fields];
                    }
                    break;
                case 5:
                    length = 4;
                    break;
                default:
                    return [.. fields];
            }
            if (length > (ulong)(message.Length - at))
            {
                break;
            }
            fields.Add(new ProtoField((int)(tag >> 3), wireType, tagOffset, lengthOffset, at, (int)length));
            at += (int)length;
        }
        return [.. fields];
    }

    private static bool TryVarint(ReadOnlySpan<byte> message, ref int at, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64 && at < message.Length; shift += 7)
        {
            var b = message[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return true;
            }
        }
        return false;
    }
}
